from django.db import migrations


def seed_categories(apps, schema_editor):
    from weerbaar.reports.category_tree import CATEGORY_TREE

    category_model = apps.get_model("reports", "ReportCategory")
    for group_order, (group, children) in enumerate(CATEGORY_TREE):
        parent, _ = category_model.objects.get_or_create(
            code=group.code,
            defaults={**group._asdict(), "sort_order": group_order * 100},
        )
        for child_order, child in enumerate(children):
            category_model.objects.get_or_create(
                code=child.code,
                defaults={
                    **child._asdict(),
                    "parent": parent,
                    "sort_order": group_order * 100 + child_order + 1,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
