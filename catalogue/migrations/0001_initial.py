# The reference catalogue moves here from deviations, data and history included. The tables
# keep their names (db_table), so only Django's record of the models is created; the two
# tables of the many-to-many history are renamed (nothing refers to them). Constraints keep
# their old names here; 0002 renames them the portable way.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED = ['agency', 'municipality', 'forbund', 'law', 'provision', 'term', 'historicalagency', 'historicalforbund', 'historicalforbund_municipalities', 'historicallaw', 'historicallaw_agencies', 'historicalprovision', 'historicalterm']


def content_types_move(apps, schema_editor):
    """Permissions given to people and groups follow the models to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(
        content_type.objects.filter(app_label="catalogue").values_list("model", flat=True)
    )
    content_type.objects.filter(app_label="deviations", model__in=MOVED).exclude(
        model__in=taken
    ).update(app_label="catalogue")


def content_types_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="catalogue", model__in=MOVED).update(
        app_label="deviations"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("deviations", "0010_job_reaper_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE deviations_historicalforbund_municipalities RENAME TO catalogue_historicalforbund_municipalities",
                    "ALTER TABLE catalogue_historicalforbund_municipalities RENAME TO deviations_historicalforbund_municipalities",
                ),
                migrations.RunSQL(
                    "ALTER TABLE deviations_historicallaw_agencies RENAME TO catalogue_historicallaw_agencies",
                    "ALTER TABLE catalogue_historicallaw_agencies RENAME TO deviations_historicallaw_agencies",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='Agency',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=200, verbose_name='English name')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('variants', models.JSONField(blank=True, default=list, verbose_name='name variants')),
                        ('subunits', models.JSONField(blank=True, default=list, verbose_name='sub-units and roles')),
                        ('context_dependent', models.JSONField(blank=True, default=list, verbose_name='context-dependent words')),
                    ],
                    options={
                        'verbose_name': 'agency',
                        'verbose_name_plural': 'agencies',
                        'db_table': 'deviations_agency',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='Forbund',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(max_length=64, unique=True, verbose_name='slug')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('short_name', models.CharField(blank=True, max_length=100, verbose_name='short name')),
                        ('verified', models.BooleanField(default=False, verbose_name='verified')),
                        ('source', models.CharField(blank=True, max_length=500, verbose_name='source')),
                    ],
                    options={
                        'verbose_name': 'samordningsförbund',
                        'verbose_name_plural': 'samordningsförbund',
                        'db_table': 'deviations_forbund',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Municipality',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=4, unique=True, verbose_name='SCB code')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                    ],
                    options={
                        'verbose_name': 'municipality',
                        'verbose_name_plural': 'municipalities',
                        'db_table': 'deviations_municipality',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalAgency',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.CharField(db_index=True, max_length=32, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=200, verbose_name='English name')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('variants', models.JSONField(blank=True, default=list, verbose_name='name variants')),
                        ('subunits', models.JSONField(blank=True, default=list, verbose_name='sub-units and roles')),
                        ('context_dependent', models.JSONField(blank=True, default=list, verbose_name='context-dependent words')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical agency',
                        'verbose_name_plural': 'historical agencies',
                        'db_table': 'deviations_historicalagency',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalForbund',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('slug', models.SlugField(max_length=64, verbose_name='slug')),
                        ('name', models.CharField(db_index=True, max_length=200, verbose_name='name')),
                        ('short_name', models.CharField(blank=True, max_length=100, verbose_name='short name')),
                        ('verified', models.BooleanField(default=False, verbose_name='verified')),
                        ('source', models.CharField(blank=True, max_length=500, verbose_name='source')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical samordningsförbund',
                        'verbose_name_plural': 'historical samordningsförbund',
                        'db_table': 'deviations_historicalforbund',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalLaw',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('sfs', models.CharField(blank=True, db_index=True, max_length=32, null=True, verbose_name='SFS number')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('short_name', models.CharField(blank=True, max_length=100, verbose_name='short name')),
                        ('abbreviations', models.JSONField(blank=True, default=list, verbose_name='abbreviations')),
                        ('name_forms', models.JSONField(blank=True, default=list, verbose_name='name forms')),
                        ('kind', models.CharField(choices=[('lag', 'Act'), ('forordning', 'Ordinance'), ('foreskrift', 'Regulation'), ('allmanna_rad', 'General guidelines')], default='lag', max_length=16, verbose_name='kind')),
                        ('has_chapters', models.BooleanField(default=False, verbose_name='divided into chapters')),
                        ('in_force_from', models.DateField(blank=True, null=True, verbose_name='in force from')),
                        ('in_force_to', models.DateField(blank=True, null=True, verbose_name='in force to')),
                        ('verified', models.BooleanField(default=False, verbose_name='verified')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical law',
                        'verbose_name_plural': 'historical laws',
                        'db_table': 'deviations_historicallaw',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalTerm',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('term', models.CharField(db_index=True, max_length=100, verbose_name='term')),
                        ('forms', models.JSONField(blank=True, default=list, verbose_name='other forms')),
                        ('targets', models.JSONField(blank=True, default=list, verbose_name='tags')),
                        ('candidates', models.JSONField(blank=True, default=list, verbose_name='candidate tags when ambiguous')),
                        ('ambiguous', models.BooleanField(default=False, verbose_name='ambiguous')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.agency', verbose_name='owner')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical term',
                        'verbose_name_plural': 'historical terms',
                        'db_table': 'deviations_historicalterm',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Law',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sfs', models.CharField(blank=True, max_length=32, null=True, unique=True, verbose_name='SFS number')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('short_name', models.CharField(blank=True, max_length=100, verbose_name='short name')),
                        ('abbreviations', models.JSONField(blank=True, default=list, verbose_name='abbreviations')),
                        ('name_forms', models.JSONField(blank=True, default=list, verbose_name='name forms')),
                        ('kind', models.CharField(choices=[('lag', 'Act'), ('forordning', 'Ordinance'), ('foreskrift', 'Regulation'), ('allmanna_rad', 'General guidelines')], default='lag', max_length=16, verbose_name='kind')),
                        ('has_chapters', models.BooleanField(default=False, verbose_name='divided into chapters')),
                        ('in_force_from', models.DateField(blank=True, null=True, verbose_name='in force from')),
                        ('in_force_to', models.DateField(blank=True, null=True, verbose_name='in force to')),
                        ('verified', models.BooleanField(default=False, verbose_name='verified')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('agencies', models.ManyToManyField(blank=True, related_name='laws', to='catalogue.agency', verbose_name='applied by')),
                        ('replaced_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replaces', to='catalogue.law', verbose_name='replaced by')),
                    ],
                    options={
                        'verbose_name': 'law',
                        'verbose_name_plural': 'laws',
                        'db_table': 'deviations_law',
                        'ordering': ['sfs'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalProvision',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('chapter', models.CharField(blank=True, max_length=8, verbose_name='chapter')),
                        ('section', models.CharField(blank=True, max_length=8, verbose_name='section')),
                        ('tag_id', models.CharField(db_index=True, editable=False, max_length=64, verbose_name='tag identifier')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                        ('verified', models.BooleanField(default=False, verbose_name='verified')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('law', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.law', verbose_name='law')),
                    ],
                    options={
                        'verbose_name': 'historical provision',
                        'verbose_name_plural': 'historical provisions',
                        'db_table': 'deviations_historicalprovision',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalLaw_agencies',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('agency', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.agency')),
                        ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='catalogue.historicallaw')),
                        ('law', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.law')),
                    ],
                    options={
                        'verbose_name': 'HistoricalLaw_agencies',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddField(
                    model_name='historicallaw',
                    name='replaced_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.law', verbose_name='replaced by'),
                ),
                migrations.CreateModel(
                    name='HistoricalForbund_municipalities',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('forbund', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.forbund')),
                        ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='catalogue.historicalforbund')),
                        ('municipality', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.municipality')),
                    ],
                    options={
                        'verbose_name': 'HistoricalForbund_municipalities',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddField(
                    model_name='forbund',
                    name='municipalities',
                    field=models.ManyToManyField(related_name='forbund', to='catalogue.municipality', verbose_name='member municipalities'),
                ),
                migrations.CreateModel(
                    name='Provision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('chapter', models.CharField(blank=True, max_length=8, verbose_name='chapter')),
                        ('section', models.CharField(blank=True, max_length=8, verbose_name='section')),
                        ('tag_id', models.CharField(editable=False, max_length=64, unique=True, verbose_name='tag identifier')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                        ('verified', models.BooleanField(default=False, verbose_name='verified')),
                        ('law', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='provisions', to='catalogue.law', verbose_name='law')),
                    ],
                    options={
                        'verbose_name': 'provision',
                        'verbose_name_plural': 'provisions',
                        'db_table': 'deviations_provision',
                        'ordering': ['tag_id'],
                    },
                ),
                migrations.CreateModel(
                    name='Term',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('term', models.CharField(max_length=100, unique=True, verbose_name='term')),
                        ('forms', models.JSONField(blank=True, default=list, verbose_name='other forms')),
                        ('targets', models.JSONField(blank=True, default=list, verbose_name='tags')),
                        ('candidates', models.JSONField(blank=True, default=list, verbose_name='candidate tags when ambiguous')),
                        ('ambiguous', models.BooleanField(default=False, verbose_name='ambiguous')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='terms', to='catalogue.agency', verbose_name='owner')),
                    ],
                    options={
                        'verbose_name': 'term',
                        'verbose_name_plural': 'terms',
                        'db_table': 'deviations_term',
                        'ordering': ['term'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='law',
                    constraint=models.UniqueConstraint(condition=models.Q(('sfs__isnull', True)), fields=('title',), name='deviations_law_title_unique_without_sfs'),
                ),
                migrations.AddConstraint(
                    model_name='provision',
                    constraint=models.UniqueConstraint(fields=('law', 'chapter', 'section'), name='deviations_provision_unique_reference'),
                ),
                migrations.AddConstraint(
                    model_name='provision',
                    constraint=models.CheckConstraint(condition=models.Q(('chapter', ''), ('section', ''), _negated=True), name='deviations_provision_chapter_or_section'),
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
