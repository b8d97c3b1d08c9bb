# The Job model moves here from deviations. Its table keeps its name (deviations_job), so
# only Django's record of the model is created; the database is not touched.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def content_types_move(apps, schema_editor):
    """Permissions given to people and groups follow the model to its new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="jobs", model="job").exists():
        content_type.objects.filter(app_label="deviations", model="job").update(app_label="jobs")


def content_types_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="jobs", model="job").update(app_label="deviations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("deviations", "0010_job_reaper_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Job',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='key')),
                        ('kind', models.CharField(max_length=16, verbose_name='kind')),
                        ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('succeeded', 'done'), ('failed', 'failed')], default='queued', max_length=16, verbose_name='status')),
                        ('params', models.JSONField(blank=True, default=dict, verbose_name='parameters')),
                        ('input_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                        ('input', models.BinaryField(blank=True, null=True, verbose_name='input file')),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, verbose_name='dedupe key')),
                        ('step', models.CharField(blank=True, max_length=200, verbose_name='step')),
                        ('done', models.PositiveIntegerField(default=0, verbose_name='done')),
                        ('total', models.PositiveIntegerField(blank=True, null=True, verbose_name='total')),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='result')),
                        ('output_name', models.CharField(blank=True, max_length=200, verbose_name='output file name')),
                        ('output', models.BinaryField(blank=True, null=True, verbose_name='output file')),
                        ('error', models.TextField(blank=True, verbose_name='why it failed')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('task_id', models.CharField(blank=True, max_length=64, verbose_name='task id')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                        ('step_started_at', models.DateTimeField(blank=True, null=True, verbose_name='step started')),
                        ('progressed_at', models.DateTimeField(blank=True, null=True, verbose_name='last progress')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='jobs', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                    ],
                    options={
                        'verbose_name': 'job',
                        'verbose_name_plural': 'jobs',
                        'db_table': 'deviations_job',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['kind', 'status'], name='deviations__kind_7d1720_idx'), models.Index(fields=['status', 'progressed_at'], name='deviations__status_e7354a_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'running']), models.Q(('dedupe_key', ''), _negated=True)), fields=('dedupe_key',), name='deviations_job_one_active_per_dedupe_key')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
