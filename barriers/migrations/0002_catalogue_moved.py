# The catalogue models moved from deviations to catalogue (their tables with them, see
# catalogue/migrations/0001_initial.py). Only Django's record of where they live changes here.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("barriers", "0001_initial"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalsteeringgroup",
                    name="forbund",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalogue.forbund", verbose_name="samordningsförbund"),
                ),
                migrations.AlterField(
                    model_name="historicalsteeringgroup_agencies",
                    name="agency",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalogue.agency"),
                ),
                migrations.AlterField(
                    model_name="historicalsteeringgroup_municipalities",
                    name="municipality",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalogue.municipality"),
                ),
                migrations.AlterField(
                    model_name="steeringgroup",
                    name="forbund",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="steering_groups", to="catalogue.forbund", verbose_name="samordningsförbund"),
                ),
                migrations.AlterField(
                    model_name="steeringgroup",
                    name="agencies",
                    field=models.ManyToManyField(blank=True, related_name="steering_groups", to="catalogue.agency", verbose_name="member agencies"),
                ),
                migrations.AlterField(
                    model_name="steeringgroup",
                    name="municipalities",
                    field=models.ManyToManyField(blank=True, help_text="Empty: the whole area the group sits in (regional and national groups).", related_name="steering_groups", to="catalogue.municipality", verbose_name="area"),
                ),
            ],
        ),
    ]
