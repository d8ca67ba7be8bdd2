"""Ship the 四川-style scheme and the starting assignments, give the seeded departments their 行政区划 codes, and fix
each existing declaration's scheme by the assignments (the self-evaluations keep theirs)."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    from projects.scheme_data import SEED_DIVISIONS, load_assignments, load_schemes, pick_assignment

    Scheme = apps.get_model("projects", "ScoringScheme")
    Assignment = apps.get_model("projects", "SchemeAssignment")
    Department = apps.get_model("projects", "Department")
    load_schemes(Scheme, apps.get_model("projects", "SchemeSection"))
    load_assignments(Scheme, Assignment)
    for code, division in SEED_DIVISIONS.items():
        Department.objects.filter(code=code, division_code="").update(division_code=division)

    def division(department):
        while not department.division_code and department.parent_id is not None:
            department = Department.objects.get(pk=department.parent_id)
        return department.division_code

    assignments = {kind: list(Assignment.objects.filter(form_kind=kind)) for kind in ("project", "department")}
    for model, kind, path in (
        ("ProjectDeclaration", "project", "project__department"),
        ("DepartmentDeclaration", "department", "department"),
    ):
        for declaration in apps.get_model("projects", model).objects.filter(scheme__isnull=True).select_related(path):
            department = declaration.project.department if kind == "project" else declaration.department
            chosen = pick_assignment(assignments[kind], division(department), declaration.year)
            declaration.scheme_id = chosen.scheme_id
            declaration.save(update_fields=["scheme"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_scheme_assignments")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="projectdeclaration",
            name="scheme",
            field=models.ForeignKey(
                help_text="创建时按部门的行政区划代码和年度确定（评分方案适用范围），自评沿用同一方案。",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="project_declarations",
                to="projects.scoringscheme",
                verbose_name="评分方案",
            ),
        ),
        migrations.AlterField(
            model_name="departmentdeclaration",
            name="scheme",
            field=models.ForeignKey(
                help_text="创建时按部门的行政区划代码和年度确定（评分方案适用范围），自评沿用同一方案。",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="department_declarations",
                to="projects.scoringscheme",
                verbose_name="评分方案",
            ),
        ),
    ]
