"""The content types (and so the permissions and admin log entries) of the models that moved into projects."""

from django.db import migrations

MOVED = {
    "indicators": ["goal", "indicator", "historicalgoal", "historicalindicator"],
    "selfeval": ["scoringscheme", "schemesection", "declarationcheck"],
}


def move(apps, schema_editor, source=None, target=None):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        old, new = (app_label, "projects") if source is None else ("projects", app_label)
        for model in models:
            if not ContentType.objects.filter(app_label=new, model=model).exists():
                ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def back(apps, schema_editor):
    move(apps, schema_editor, source="projects")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0005_moved_models"),
        ("indicators", "0006_goal_indicator_to_projects"),
        ("selfeval", "0008_schemes_checks_to_projects"),
    ]

    operations = [migrations.RunPython(move, back)]
