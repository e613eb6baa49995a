"""The audit trail only records: no state is read back from it. Rewriting
every entry, as erasure's pseudonymisation does, leaves panel invitations,
the shortlist announcement, retention dates and reopening reasons as they
were."""

from datetime import UTC, datetime

import pytest
from django.db import models
from django.db.models import Q

from accounts import services as account_services
from accounts.models import Invitation
from assessments.models import SelfAssessment
from assessments.services import self_assessment
from cohorts.models import Cohort, Enrolment, Phase
from cohorts.services import programme
from core import audit
from core.errors import ServiceError
from core.models import AuditEvent
from judging import selectors as judging_selectors
from judging.models import CohortJudge
from judging.services import panel, shortlisting
from portal import retention
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_member

pytestmark = pytest.mark.django_db

WHILE_OPEN = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


def submitted(cohort: Cohort, name: str, member: str) -> Enrolment:
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name))
    make_member(organisation=enrolment.organisation, email=member)
    assessment = self_assessment.ensure_assessment(enrolment=enrolment)
    for response in assessment.responses.all():
        for field, text in (("level", "3"), ("narrative", "Evidence.")):
            self_assessment.save_answer(response=response, field=field, value=text, base="", actor=None, now=WHILE_OPEN)
    self_assessment.submit(assessment=assessment, actor=None, now=WHILE_OPEN)
    enrolment.refresh_from_db()
    return enrolment


def pseudonymise_everything(names: list[str]) -> None:
    """Each name replaced by an alias wherever the trail mentions it, as
    erasure does; then every entry's texts, before and after blanked out."""
    audit.pseudonymise_audit_trail(
        replacements={name: f"Erased {number}" for number, name in enumerate(names)}, also=Q(pk__isnull=False)
    )
    # models.QuerySet.update, as privacy does: AuditEventQuerySet refuses updates.
    models.QuerySet.update(
        AuditEvent.objects.all(),
        actor_repr="[erased]",
        object_repr="[erased]",
        before={"erased": True},
        after={"erased": True},
        note="[erased]",
    )


def test_state_is_unchanged_when_the_whole_trail_is_pseudonymised(lead, django_capture_on_commit_callbacks):
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)
    severn = submitted(cohort, "Severn Water", "amy@severn.example")
    submitted(cohort, "Trent Energy", "tom@trent.example")
    wye = submitted(cohort, "Wye Retail", "will@wye.example")
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.SHORTLISTING)
    cohort.refresh_from_db()
    shortlisting.select_finalist(enrolment=severn, actor=lead)
    with django_capture_on_commit_callbacks(execute=True):
        shortlisting.announce_shortlist(cohort=cohort, actor=lead)
        invitation = panel.invite_judge(cohort=cohort, email="new.judge@example.org", actor=lead)
    self_assessment.reopen(assessment=wye.assessment, actor=lead, reason="Q3 evidence is missing")

    closed = make_cohort(number=4, phase=Phase.RESULTS)
    programme.move_phase(cohort=closed, to=Phase.CLOSED, actor=lead)
    closed.refresh_from_db()

    cohort.refresh_from_db()
    before = {
        "invited": [i.email for i in judging_selectors.invited_to_panel(cohort)],
        "announced": (cohort.shortlist_announced_at, cohort.shortlist_announced_by),
        "news": dict(cohort.enrolments.values_list("organisation__name", "shortlist_news")),
        "purge due": retention.purge_due_at(closed),
    }

    pseudonymise_everything(
        [lead.full_name, lead.email, "Severn Water", "Trent Energy", "Wye Retail", "new.judge@example.org"]
    )
    assert {(event.note, str(event.after)) for event in AuditEvent.objects.all()} == {
        ("[erased]", str({"erased": True}))
    }

    cohort = Cohort.objects.get(pk=cohort.pk)
    closed = Cohort.objects.get(pk=closed.pk)
    after = {
        "invited": [i.email for i in judging_selectors.invited_to_panel(cohort)],
        "announced": (cohort.shortlist_announced_at, cohort.shortlist_announced_by),
        "news": dict(cohort.enrolments.values_list("organisation__name", "shortlist_news")),
        "purge due": retention.purge_due_at(closed),
    }
    assert after == before
    assert before["invited"] == ["new.judge@example.org"]
    assert before["news"] == {
        "Severn Water": "finalist",
        "Trent Energy": "not_shortlisted",
        "Wye Retail": "not_shortlisted",
    }
    assert before["purge due"] is not None

    # Nothing new to tell: announcing again is still refused, and no e-mail goes.
    plan = shortlisting.announcement_plan(cohort)
    assert (plan.nobody_to_tell, plan.announced_at) == (True, before["announced"][0])
    with pytest.raises(ServiceError, match="has not changed since"):
        shortlisting.announce_shortlist(cohort=cohort, actor=lead)

    reopened = SelfAssessment.objects.get(pk=wye.assessment.pk)
    assert (reopened.reopen_reason, reopened.reopened_by) == ("Q3 evidence is missing", lead)

    # The invited judge still takes their seat on accepting.
    assert isinstance(invitation, Invitation)
    user = account_services.register_from_invitation(
        invitation=invitation, full_name="Nia New", password="a-long-pass-phrase"
    )
    assert [(s.cohort, s.added_by) for s in CohortJudge.objects.filter(judge=user)] == [(cohort, lead)]
