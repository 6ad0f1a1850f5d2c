from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0002_search_trigram_indexes"),
        ("programs", "0011_search_trigram_indexes"),
        ("visits", "0007_search_trigram_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="visit",
            name="visit_organization_year_idx",
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["organization", "year"],
                include=("program", "source", "people"),
                name="visit_organization_year_idx",
            ),
        ),
    ]
