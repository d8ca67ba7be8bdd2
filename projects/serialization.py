"""JSON fixtures that keep timestamps to the microsecond (Django's JSON format keeps milliseconds only),
so that a backup restores identical data. Registered as the ``json-full`` format."""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder  # noqa: F401  (the format's reader)
from django.core.serializers.json import Serializer as JSONSerializer


class FullPrecisionEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", FullPrecisionEncoder)
        super()._init_options()
