# Constraints are named after their app; those that moved from deviations take the new name.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_initial"),
        ("deviations", "0011_catalogue_and_jobs_moved"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="law", name="deviations_law_title_unique_without_sfs"
        ),
        migrations.AddConstraint(
            model_name="law",
            constraint=models.UniqueConstraint(
                condition=models.Q(("sfs__isnull", True)),
                fields=("title",),
                name="catalogue_law_title_unique_without_sfs",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="provision", name="deviations_provision_unique_reference"
        ),
        migrations.AddConstraint(
            model_name="provision",
            constraint=models.UniqueConstraint(
                fields=("law", "chapter", "section"), name="catalogue_provision_unique_reference"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="provision", name="deviations_provision_chapter_or_section"
        ),
        migrations.AddConstraint(
            model_name="provision",
            constraint=models.CheckConstraint(
                condition=models.Q(("chapter", ""), ("section", ""), _negated=True),
                name="catalogue_provision_chapter_or_section",
            ),
        ),
    ]
