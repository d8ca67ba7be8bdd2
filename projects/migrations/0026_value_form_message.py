"""The review's 指标值：定量指标可衡量 says why a row is measured (its 二级 or its 正向/反向 mark), not 定量 (the page may
show the row as 定性, judged from its value)."""

from django.db import migrations

from projects.review_data import OLD_VALUE_FORM_MESSAGE, RULES, ship_value_form_message


def ship(apps, schema_editor):
    ship_value_form_message(apps.get_model("projects", "ReviewRule"))


def back(apps, schema_editor):
    Rule = apps.get_model("projects", "ReviewRule")
    Rule.objects.filter(code="value_form", message=RULES["value_form"][3]).update(message=OLD_VALUE_FORM_MESSAGE)


class Migration(migrations.Migration):
    dependencies = [("projects", "0025_reference_version")]

    operations = [migrations.RunPython(ship, back)]
