"""Review rules name the declarations they run on (项目 / 部门整体); the kinds that read a field the 部门整体 form does
not have (立项依据, 测算依据, the project's type and last year's self-evaluation) ship off for it."""

from django.db import migrations, models

from projects.review_data import ship_form_kinds


def ship(apps, schema_editor):
    ship_form_kinds(apps.get_model("projects", "ReviewRule"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0021_funding_line_aliases")]

    operations = [
        migrations.AddField(
            model_name="reviewrule",
            name="for_department",
            field=models.BooleanField(
                default=True,
                help_text="部门整体支出绩效目标申报表没有立项依据、测算依据等栏目，相应规则不适用。",
                verbose_name="适用于部门整体申报表",
            ),
        ),
        migrations.AddField(
            model_name="reviewrule",
            name="for_project",
            field=models.BooleanField(default=True, verbose_name="适用于项目申报表"),
        ),
        migrations.RunPython(ship, migrations.RunPython.noop),
    ]
