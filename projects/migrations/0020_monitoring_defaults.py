"""The national monitoring rule (1–7月, FASP thresholds); administrators add regional rules in the admin."""

from django.db import migrations

from projects.monitoring_data import load_monitoring_defaults


def load(apps, schema_editor):
    load_monitoring_defaults(apps.get_model("projects", "MonitoringRule"), apps.get_model("projects", "MonitoringPeriod"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0019_monitoring")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
