"""Load the shipped default P&Q framework as version 1."""

from decimal import Decimal

from django.db import migrations

from frameworks import default_framework


def load_default_framework(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Criterion = apps.get_model("frameworks", "Criterion")
    KPI = apps.get_model("frameworks", "KPI")
    db = schema_editor.connection.alias
    if Framework.objects.using(db).filter(version=default_framework.VERSION).exists():
        return  # a database that already has a version 1 keeps it
    framework = Framework.objects.using(db).create(
        version=default_framework.VERSION, name=default_framework.NAME, description=default_framework.DESCRIPTION
    )
    for position, data in enumerate(default_framework.CRITERIA, start=1):
        criterion = Criterion.objects.using(db).create(
            framework=framework,
            pillar=data["pillar"],
            code=data["code"],
            title=data["title"],
            guidance=data["guidance"],
            weight=Decimal(data["weight"]),
            judging_only=data["judging_only"],
            position=position,
            **{f"level_{n}": text for n, text in enumerate(data["levels"], start=1)},
        )
        KPI.objects.using(db).bulk_create(
            KPI(criterion=criterion, position=kpi_position, **kpi)
            for kpi_position, kpi in enumerate(data["kpis"], start=1)
        )


def unload_default_framework(apps, schema_editor):
    # Criteria and KPIs go with it. A cohort or an answer that uses it
    # protects it, and the migration refuses rather than losing their data.
    Framework = apps.get_model("frameworks", "Framework")
    Framework.objects.using(schema_editor.connection.alias).filter(
        version=default_framework.VERSION, name=default_framework.NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]

    operations = [
        migrations.RunPython(load_default_framework, unload_default_framework),
    ]
