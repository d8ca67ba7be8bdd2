"""The national defaults of the target-quality review's rule set (projects.review_data)."""

from django.db import migrations

from projects.review_data import load_review_rules


def ship(apps, schema_editor):
    load_review_rules(apps.get_model("projects", "ReviewRule"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0017_review_rules")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
