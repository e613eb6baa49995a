"""Fill in the cohort of audit entries written before AuditEvent.cohort
existed, so that a cohort's trail also shows its earlier history."""

from collections import defaultdict

from django.db import migrations

# model (app label, name) → how to reach the cohort id from a row
DIRECT = [
    ("cohorts", "cohort", "id"),
    ("cohorts", "enrolment", "cohort_id"),
    ("cohorts", "application", "cohort_id"),
    ("cohorts", "cohortjudge", "cohort_id"),
    ("cohorts", "assignment", "cohort_id"),
    ("cohorts", "conflictdeclaration", "cohort_id"),
    ("cohorts", "milestone", "cohort_id"),
    ("cohorts", "resultsnapshot", "cohort_id"),
    ("assessments", "selfassessment", "enrolment__cohort_id"),
    ("assessments", "scorecard", "assignment__cohort_id"),
]
# Entries on another object that name the cohort's number in their values.
BY_NUMBER = ("conflict.declared", "reminder.sent")


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Cohort = apps.get_model("cohorts", "Cohort")
    for app_label, model_name, path in DIRECT:
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            continue
        events = AuditEvent.objects.filter(object_type=content_type, cohort__isnull=True)
        ids = {int(pk) for pk in events.values_list("object_id", flat=True) if pk.isdigit()}
        if not ids:
            continue
        model = apps.get_model(app_label, model_name)
        by_cohort = defaultdict(list)
        for pk, cohort_id in model.objects.filter(pk__in=ids).values_list("pk", path):
            by_cohort[cohort_id].append(str(pk))
        for cohort_id, object_ids in by_cohort.items():
            events.filter(object_id__in=object_ids).update(cohort_id=cohort_id)
    cohort_of_number = dict(Cohort.objects.values_list("number", "pk"))
    for event in AuditEvent.objects.filter(action__in=BY_NUMBER, cohort__isnull=True).only("pk", "after"):
        number = event.after.get("cohort") if isinstance(event.after, dict) else None
        if number in cohort_of_number:
            AuditEvent.objects.filter(pk=event.pk).update(cohort_id=cohort_of_number[number])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_notifications_preferences_audit_cohort"),
        ("assessments", "0003_scorecard_scoreentry"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
