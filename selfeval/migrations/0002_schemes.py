"""Load the starting set of scoring schemes."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from selfeval.scheme_data import SCHEMES

    Scheme = apps.get_model("selfeval", "ScoringScheme")
    Section = apps.get_model("selfeval", "SchemeSection")
    for data in SCHEMES:
        scheme, _ = Scheme.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "layout": data["layout"],
                "description": data["description"],
                "weights_per_form": data.get("weights_per_form", False),
            },
        )
        for seq, (code, name, kind, points) in enumerate(data["sections"], start=1):
            Section.objects.update_or_create(
                scheme=scheme,
                code=code,
                defaults={
                    "seq": seq,
                    "name": name,
                    "kind": kind,
                    "points": Decimal(points) if points is not None else None,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("selfeval", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
