"""A job's input file moves to a row of its own (JobInput): SQLite rewrites a whole row on every
update, and a running job's row is updated twice a second."""

import django.db.models.deletion
from django.db import migrations, models


def inputs_move(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    JobInput = apps.get_model("jobs", "JobInput")
    for pk in Job.objects.filter(input__isnull=False).values_list("pk", flat=True).iterator():
        content = Job.objects.filter(pk=pk).values_list("input", flat=True).get()
        JobInput.objects.create(job_id=pk, content=content)


def inputs_back(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    JobInput = apps.get_model("jobs", "JobInput")
    for pk in JobInput.objects.values_list("pk", flat=True).iterator():
        content = JobInput.objects.filter(pk=pk).values_list("content", flat=True).get()
        Job.objects.filter(pk=pk).update(input=content)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobInput",
            fields=[
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="input_file",
                        serialize=False,
                        to="jobs.job",
                        verbose_name="job",
                    ),
                ),
                ("content", models.BinaryField(blank=True, null=True, verbose_name="input file")),
            ],
            options={
                "db_table": "jobs_jobinput",
                "verbose_name": "job input file",
                "verbose_name_plural": "job input files",
            },
        ),
        migrations.RunPython(inputs_move, inputs_back),
        migrations.RemoveField(
            model_name="job",
            name="input",
        ),
    ]
