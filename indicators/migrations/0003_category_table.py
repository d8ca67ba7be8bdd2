"""Load the fixed national 一级/二级 category table."""

from django.db import migrations


def load(apps, schema_editor):
    from indicators.categories import CATEGORY_TABLE

    Category = apps.get_model("indicators", "IndicatorCategory")
    for seq1, row in enumerate(CATEGORY_TABLE, start=1):
        parent, _ = Category.objects.update_or_create(
            code=row.code,
            defaults={
                "level": 1,
                "parent": None,
                "name": row.name,
                "layout": row.layout,
                "aliases": list(row.aliases),
                "seq": seq1 * 10,
            },
        )
        for seq2, child in enumerate(row.children, start=1):
            Category.objects.update_or_create(
                code=child.code,
                defaults={
                    "level": 2,
                    "parent": parent,
                    "name": child.name,
                    "layout": child.layout,
                    "aliases": list(child.aliases),
                    "seq": seq1 * 10 + seq2,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
