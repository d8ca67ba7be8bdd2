"""Load the starting set of scoring schemes."""

from django.db import migrations


def load(apps, schema_editor):
    from projects.scheme_data import load_schemes

    load_schemes(apps.get_model("selfeval", "ScoringScheme"), apps.get_model("selfeval", "SchemeSection"))


class Migration(migrations.Migration):
    dependencies = [("selfeval", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
