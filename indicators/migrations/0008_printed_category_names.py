"""Names real forms print for the 一级/二级 categories (issue 13 point 5), added to each category's 其他写法.

Only names not there yet are added: what an administrator edited in the admin stays.
"""

from django.db import migrations

ADDED = {
    "output-timeliness": ["进度指标"],
    "output-cost": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
    "satisfaction-service": ["满意度指标", "满意度"],
}


def add(apps, schema_editor):
    Category = apps.get_model("indicators", "IndicatorCategory")
    for code, names in ADDED.items():
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        aliases = list(category.aliases or [])
        category.aliases = aliases + [name for name in names if name not in aliases]
        category.save(update_fields=["aliases"])


def remove(apps, schema_editor):
    Category = apps.get_model("indicators", "IndicatorCategory")
    for code, names in ADDED.items():
        category = Category.objects.filter(code=code).first()
        if category is not None:
            category.aliases = [name for name in category.aliases or [] if name not in names]
            category.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_office_words")]
    operations = [migrations.RunPython(add, remove)]
