# The reference catalogue moved to the catalogue app and the Job model to the jobs app; their
# tables moved with them in those apps' first migrations. Here only Django's record changes:
# the foreign keys point to the new apps, and the models leave deviations' state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("deviations", "0010_job_reaper_index"),
        ("catalogue", "0001_initial"),
        ("jobs", "0001_initial"),
        ("barriers", "0002_catalogue_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalunit",
                    name="forbund",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalogue.forbund", verbose_name="samordningsförbund"),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="forbund",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="units", to="catalogue.forbund", verbose_name="samordningsförbund"),
                ),
                migrations.AlterField(
                    model_name="historicaldeviation",
                    name="municipality",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalogue.municipality", verbose_name="municipality"),
                ),
                migrations.AlterField(
                    model_name="historicalunit_municipalities",
                    name="municipality",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalogue.municipality"),
                ),
                migrations.AlterField(
                    model_name="deviation",
                    name="municipality",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="deviations", to="catalogue.municipality", verbose_name="municipality"),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="municipalities",
                    field=models.ManyToManyField(related_name="units", to="catalogue.municipality", verbose_name="municipalities"),
                ),
                migrations.DeleteModel(name="HistoricalAgency"),
                migrations.DeleteModel(name="HistoricalForbund_municipalities"),
                migrations.DeleteModel(name="HistoricalForbund"),
                migrations.DeleteModel(name="HistoricalLaw_agencies"),
                migrations.DeleteModel(name="HistoricalLaw"),
                migrations.DeleteModel(name="HistoricalProvision"),
                migrations.DeleteModel(name="HistoricalTerm"),
                migrations.DeleteModel(name="Term"),
                migrations.DeleteModel(name="Provision"),
                migrations.DeleteModel(name="Law"),
                migrations.DeleteModel(name="Forbund"),
                migrations.DeleteModel(name="Municipality"),
                migrations.DeleteModel(name="Agency"),
                migrations.DeleteModel(name="Job"),
            ],
        ),
    ]
