"""Data retention: evidence files and unsubmitted drafts of a closed cohort
are deleted `retention_days` after it closed, by a scheduled task, and each
deletion is audited."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import EvidenceFile, Response, SelfAssessment
from cohorts.models import Phase
from cohorts.services import programme
from core.models import AuditEvent
from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
from portal import retention
from pq_portal.celery import app as celery_app
from tests.factories import EnrolmentFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def evidence_for(response: Response, user, name: str) -> EvidenceFile:
    item = EvidenceFile(
        response=response, original_name=name, content_type="application/pdf", size=len(PDF), uploaded_by=user
    )
    item.file.save(name, ContentFile(PDF), save=False)
    item.save()
    return item


def assessment_for(enrolment, member, *, status: str) -> tuple[SelfAssessment, Response]:
    assessment = SelfAssessment.objects.create(enrolment=enrolment, status=status)
    criterion = enrolment.cohort.framework.criteria.filter(judging_only=False).order_by("position").first()
    response = Response.objects.create(
        assessment=assessment, criterion=criterion, level=2, narrative="Our team coaches weekly.", updated_by=member
    )
    return assessment, response


def scorecard_for(cohort, judge, enrolment, *, status: str) -> Scorecard:
    CohortJudge.objects.get_or_create(cohort=cohort, judge=judge)
    assignment = Assignment.objects.create(cohort=cohort, judge=judge, enrolment=enrolment)
    card = Scorecard.objects.create(assignment=assignment, status=status)
    for criterion in cohort.framework.criteria.all():
        ScoreEntry.objects.create(scorecard=card, criterion=criterion, score=6, comment="Fine.")
    return card


def closed_cohort(lead, *, number: int = 3, retention_days: int = 730):
    """A cohort the lead has just closed, with a submitted self-assessment
    (with evidence), a draft one (with evidence), a submitted scorecard and
    one still in progress."""
    cohort = make_cohort(number=number, phase="results", retention_days=retention_days)
    submitted_enrolment = EnrolmentFactory(cohort=cohort, status="accredited")
    draft_enrolment = EnrolmentFactory(cohort=cohort, status="not_shortlisted")
    member = make_member(organisation=submitted_enrolment.organisation)
    submitted, submitted_response = assessment_for(submitted_enrolment, member, status="submitted")
    draft, draft_response = assessment_for(draft_enrolment, member, status="draft")
    files = [evidence_for(submitted_response, member, "Audit.pdf"), evidence_for(draft_response, member, "Plan.pdf")]
    judge = make_judge()
    kept_card = scorecard_for(cohort, judge, submitted_enrolment, status="submitted")
    open_card = scorecard_for(cohort, make_judge(), submitted_enrolment, status="draft")
    programme.move_phase(cohort=cohort, to=Phase.CLOSED, actor=lead)
    cohort.refresh_from_db()
    return cohort, submitted, draft, files, kept_card, open_card


def test_the_closing_date_is_the_last_move_into_closed(lead):
    cohort, *_ = closed_cohort(lead)
    first = retention.closed_at(cohort)
    programme.move_phase(cohort=cohort, to=Phase.RESULTS, actor=lead, reason="A score was entered wrongly")
    cohort.refresh_from_db()
    assert retention.closed_at(cohort) is None  # not closed any more

    programme.move_phase(cohort=cohort, to=Phase.CLOSED, actor=lead)
    cohort.refresh_from_db()

    assert retention.closed_at(cohort) > first
    assert retention.purge_due_at(cohort) == retention.closed_at(cohort) + timedelta(days=730)


def test_nothing_is_deleted_before_the_retention_period_ends(lead, media):
    cohort, _submitted, draft, _files, _kept_card, open_card = closed_cohort(lead)
    almost = retention.purge_due_at(cohort) - timedelta(minutes=1)

    totals = retention.purge_expired(now=almost)

    assert totals == {"cohorts": 0, "evidence_files": 0, "draft_assessments": 0, "draft_scorecards": 0}
    assert EvidenceFile.objects.count() == 2
    assert SelfAssessment.objects.filter(pk=draft.pk).exists()
    assert Scorecard.objects.filter(pk=open_card.pk).exists()


def test_evidence_and_drafts_are_deleted_when_the_period_ends_and_each_deletion_is_audited(
    lead, media, django_capture_on_commit_callbacks
):
    cohort, submitted, draft, files, kept_card, open_card = closed_cohort(lead)
    stored = [media / item.file.name for item in files]
    assert all(path.exists() for path in stored)

    with django_capture_on_commit_callbacks(execute=True):
        totals = retention.purge_expired(now=retention.purge_due_at(cohort))

    assert totals == {"cohorts": 1, "evidence_files": 2, "draft_assessments": 1, "draft_scorecards": 1}
    assert EvidenceFile.objects.count() == 0
    assert [path.exists() for path in stored] == [False, False]
    assert not SelfAssessment.objects.filter(pk=draft.pk).exists()
    assert not Scorecard.objects.filter(pk=open_card.pk).exists()
    # The record of what was awarded stays.
    assert SelfAssessment.objects.get(pk=submitted.pk).responses.get().narrative == "Our team coaches weekly."
    assert Scorecard.objects.get(pk=kept_card.pk).entries.exclude(score=None).count() > 0
    entries = AuditEvent.objects.filter(action__startswith="retention.").order_by("action", "id")
    assert [(event.action, event.actor_repr) for event in entries] == [
        ("retention.draft_deleted", "system"),
        ("retention.evidence_deleted", "system"),
        ("retention.evidence_deleted", "system"),
        ("retention.scorecard_deleted", "system"),
    ]
    assert sorted(event.before["file"] for event in entries if event.action == "retention.evidence_deleted") == [
        "Audit.pdf",
        "Plan.pdf",
    ]


def test_running_again_deletes_nothing_more(lead, django_capture_on_commit_callbacks):
    cohort, *_ = closed_cohort(lead)
    later = retention.purge_due_at(cohort) + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        retention.purge_expired(now=later)
    entries = AuditEvent.objects.count()

    again = retention.purge_expired(now=later)

    assert again == {"cohorts": 0, "evidence_files": 0, "draft_assessments": 0, "draft_scorecards": 0}
    assert AuditEvent.objects.count() == entries


def test_each_cohort_keeps_its_own_retention_period(lead):
    short, *_ = closed_cohort(lead, number=3, retention_days=30)
    long, *_ = closed_cohort(lead, number=4, retention_days=365)

    totals = retention.purge_expired(now=timezone.now() + timedelta(days=31))

    assert totals["cohorts"] == 1
    assert EvidenceFile.objects.filter(response__assessment__enrolment__cohort=short).count() == 0
    assert EvidenceFile.objects.filter(response__assessment__enrolment__cohort=long).count() == 2


def test_open_cohorts_are_never_purged_and_a_closing_missing_from_the_trail_is_reported(lead, caplog):
    make_cohort(number=5, phase="judging")
    make_cohort(number=6, phase="closed")  # closed without going through move_phase

    with caplog.at_level(logging.WARNING, logger="portal.retention"):
        totals = retention.purge_expired(now=timezone.now() + timedelta(days=3650))

    assert totals["cohorts"] == 0
    assert caplog.messages == ["Retention: cohort 6 is closed but its closing is not in the audit trail"]


def test_celery_beat_runs_the_retention_task_daily(lead):
    _cohort, *_ = closed_cohort(lead, retention_days=30)
    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["retention"]

    assert entry["task"] == "portal.retention.purge_expired_data"
    assert entry["task"] in celery_app.tasks
    assert str(entry["schedule"]) == "<crontab: 30 3 * * * (m/h/dM/MY/d)>"
    assert retention.purge_expired_data.delay().get()["cohorts"] == 0  # not yet due
