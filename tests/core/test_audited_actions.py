"""Each audited action of the programme writes exactly one entry, with the
actor, the object, its cohort and the before and after values."""

from datetime import date, timedelta

import pytest

from accounts import services as account_services
from accounts.models import Role, RoleGrant
from assessments.services import self_assessment
from cohorts.models import Enrolment, EnrolmentStatus, Phase
from cohorts.services import applications, programme, reminders
from core.models import AuditEvent
from judging.models import CohortJudge, Relationship
from judging.services import panel as judging
from judging.services import scorecards, shortlisting
from results import services as results
from tests.factories import OrganisationFactory, UserFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db


class Trail:
    """Runs one action and returns the single entry it wrote of `action`,
    checking that it wrote no second one."""

    def __init__(self):
        self.seen = set(AuditEvent.objects.values_list("pk", flat=True))

    def one(self, action: str, run) -> AuditEvent:
        result = run()
        new = list(AuditEvent.objects.exclude(pk__in=self.seen).filter(action=action))
        self.seen |= set(AuditEvent.objects.values_list("pk", flat=True))
        assert len(new) == 1, f"{action}: {len(new)} entries"
        new[0].result = result
        return new[0]


def to_phase(cohort, phase):
    cohort.phase = phase
    cohort.save(update_fields=["phase"])


def values(entry) -> tuple:
    return (entry.actor, entry.before, entry.after)


def test_people_roles_and_invitations(lead):
    trail = Trail()
    person = UserFactory(email="pat@example.org")

    granted = trail.one("role.granted", lambda: account_services.grant_role(user=person, role=Role.JUDGE, actor=lead))
    assert values(granted) == (lead, None, {"role": "judge"})
    assert (granted.object_id, granted.cohort) == (str(person.pk), None)

    grant = RoleGrant.objects.get(user=person, role=Role.JUDGE)
    revoked = trail.one("role.revoked", lambda: account_services.revoke_role(grant=grant, actor=lead))
    assert values(revoked) == (lead, {"role": "judge"}, {"role": None})

    invited = trail.one(
        "invitation.sent",
        lambda: account_services.invite(email="new@example.org", role=Role.JUDGE, invited_by=lead),
    )
    assert invited.actor == lead
    assert invited.after["email"] == "new@example.org"


def test_the_programme_from_enrolment_to_results(lead):
    trail = Trail()
    cohort = make_cohort(number=5, start_date=date.today() + timedelta(days=30))
    severn, wye = OrganisationFactory(name="Severn Water"), OrganisationFactory(name="Wye Water")
    amy = make_member(email="amy@severn.example", organisation=severn)
    make_member(email="cy@wye.example", organisation=wye)

    moved = trail.one("cohort.phase_moved", lambda: programme.move_phase(cohort=cohort, to=Phase.ENROLMENT, actor=lead))
    assert values(moved) == (lead, {"phase": "draft"}, {"phase": "enrolment"})
    assert moved.cohort_id == cohort.pk
    back = trail.one(
        "cohort.phase_moved_back",
        lambda: programme.move_phase(cohort=cohort, to=Phase.DRAFT, actor=lead, reason="Dates to agree."),
    )
    assert (values(back), back.note) == ((lead, {"phase": "enrolment"}, {"phase": "draft"}), "Dates to agree.")
    to_phase(cohort, Phase.ENROLMENT)

    # Applications and enrolments.
    dee = UserFactory(email="dee@dee.example")
    application = applications.apply(
        cohort=cohort, applicant=dee, organisation_name="Dee Water", sector="water", size="small", motivation="x"
    )
    accepted = trail.one(
        "application.accepted", lambda: applications.accept_application(application=application, actor=lead)
    )
    assert (accepted.actor, accepted.before["status"], accepted.after["status"]) == (lead, "pending", "accepted")
    assert accepted.cohort_id == cohort.pk
    exe = applications.apply(
        cohort=cohort,
        applicant=UserFactory(),
        organisation_name="Exe Water",
        sector="water",
        size="small",
        motivation="x",
    )
    declined = trail.one(
        "application.declined",
        lambda: applications.decline_application(application=exe, actor=lead, reason="Not a contact centre."),
    )
    assert (declined.before["status"], declined.after["status"], declined.note) == (
        "pending",
        "declined",
        "Not a contact centre.",
    )

    enrolled = trail.one(
        "enrolment.created", lambda: programme.enrol(cohort=cohort, organisations=[severn], actor=lead)
    )
    assert values(enrolled) == (lead, None, {"status": "enrolled"})
    programme.enrol(cohort=cohort, organisations=[wye], actor=lead)
    severn_enrolment, wye_enrolment = (Enrolment.objects.get(organisation=o) for o in (severn, wye))
    dee_enrolment = Enrolment.objects.get(organisation__name="Dee Water")
    withdrawn = trail.one(
        "enrolment.withdrawn",
        lambda: programme.withdraw(enrolment=dee_enrolment, actor=lead, reason="Merged with Severn."),
    )
    assert (values(withdrawn), withdrawn.note) == (
        (lead, {"status": "enrolled"}, {"status": "withdrawn"}),
        "Merged with Severn.",
    )

    # Self-assessment: extension, reminder, submission, reopening.
    to_phase(cohort, Phase.SELF_ASSESSMENT)
    deadline = cohort.self_assessment_deadline.date()
    extended = trail.one(
        "enrolment.extension_granted",
        lambda: programme.grant_extension(enrolment=wye_enrolment, until=deadline + timedelta(days=7), actor=lead),
    )
    assert values(extended) == (
        lead,
        {"extension_until": None},
        {"extension_until": (deadline + timedelta(days=7)).isoformat()},
    )
    reminded = trail.one("reminder.sent", lambda: reminders.remind_organisation(enrolment=severn_enrolment, actor=lead))
    assert values(reminded) == (lead, None, {"members": ["amy@severn.example"]})
    assert reminded.cohort_id == cohort.pk

    assessments = {}
    for enrolment in (severn_enrolment, wye_enrolment):
        assessment = self_assessment.ensure_assessment(enrolment=enrolment)
        for response in assessment.responses.all():
            self_assessment.save_answer(response=response, field="level", value="3", base="", actor=None)
            self_assessment.save_answer(response=response, field="narrative", value="We do.", base="", actor=None)
        assessments[enrolment.pk] = assessment
    severn_assessment = assessments[severn_enrolment.pk]
    submitted = trail.one(
        "assessment.submitted", lambda: self_assessment.submit(assessment=severn_assessment, actor=amy)
    )
    assert values(submitted) == (amy, {"status": "draft"}, {"status": "submitted"})
    assert submitted.cohort_id == cohort.pk
    reopened = trail.one(
        "assessment.reopened",
        lambda: self_assessment.reopen(assessment=severn_assessment, actor=lead, reason="P3 is missing."),
    )
    assert (values(reopened), reopened.note) == ((lead, {"status": "submitted"}, {"status": "draft"}), "P3 is missing.")
    self_assessment.submit(assessment=severn_assessment, actor=amy)
    self_assessment.submit(assessment=assessments[wye_enrolment.pk], actor=None)

    # Shortlist.
    to_phase(cohort, Phase.SHORTLISTING)
    severn_enrolment.refresh_from_db()
    added = trail.one("shortlist.added", lambda: shortlisting.select_finalist(enrolment=severn_enrolment, actor=lead))
    assert values(added) == (lead, {"status": "submitted"}, {"status": "finalist"})
    announced = trail.one("shortlist.announced", lambda: shortlisting.announce_shortlist(cohort=cohort, actor=lead))
    assert announced.actor == lead
    assert (announced.after["finalists"], announced.after["not_shortlisted"]) == (["Severn Water"], ["Wye Water"])

    # Judging: panel, conflicts, assignments, scorecards.
    jo, kim = make_judge(email="jo@judges.example"), make_judge(email="kim@judges.example")
    seated = trail.one("panel.judge_added", lambda: judging.add_judge(cohort=cohort, judge=jo, actor=lead))
    assert values(seated) == (lead, None, {"judge": "jo@judges.example"})
    judging.add_judge(cohort=cohort, judge=kim, actor=lead)
    to_phase(cohort, Phase.JUDGING)
    severn_enrolment.refresh_from_db()
    assigned = trail.one(
        "assignment.added",
        lambda: judging.assign_by_hand(cohort=cohort, judge=kim, enrolment=severn_enrolment, actor=lead),
    )
    assert values(assigned) == (lead, None, {"judge": str(kim), "method": "by hand"})
    kim_card = scorecards.ensure_scorecard(assignment=assigned.result)
    conflict = trail.one(
        "conflict.declared",
        lambda: judging.declare_conflict(
            cohort=cohort, judge=kim, organisation=severn, relationship=Relationship.CLIENT
        ),
    )
    assert values(conflict) == (kim, None, {"cohort": 5, "relationship": "client"})
    assert conflict.cohort_id == cohort.pk
    kim_card.refresh_from_db()
    assert (kim_card.status, AuditEvent.objects.filter(action="scorecard.withdrawn").count()) == ("withdrawn", 1)
    assert AuditEvent.objects.filter(action="assignment.ended").count() == 1

    assignment = judging.assign_by_hand(cohort=cohort, judge=jo, enrolment=severn_enrolment, actor=lead)
    card = scorecards.ensure_scorecard(assignment=assignment)
    for entry in card.entries.all():
        scorecards.save_score(entry=entry, field="score", value="8", base="", actor=jo)
    scored = trail.one("scorecard.submitted", lambda: scorecards.submit(scorecard=card, actor=jo))
    assert scored.actor == jo
    assert (scored.before, scored.after["status"], set(scored.after["scores"].values())) == (
        {"status": "draft"},
        "submitted",
        {8},
    )
    assert scored.cohort_id == cohort.pk
    unlocked = trail.one(
        "scorecard.unlocked", lambda: scorecards.unlock(scorecard=card, actor=lead, reason="Rescore P6.")
    )
    assert (unlocked.actor, unlocked.before["status"], unlocked.after, unlocked.note) == (
        lead,
        "submitted",
        {"status": "draft"},
        "Rescore P6.",
    )
    scorecards.submit(scorecard=card, actor=jo)

    # Results.
    finalised = trail.one("results.finalised", lambda: results.finalise(cohort=cohort, actor=lead))
    assert finalised.actor == lead
    assert finalised.cohort_id == cohort.pk
    assert dict(Enrolment.objects.values_list("organisation__name", "status"))["Severn Water"] == (
        EnrolmentStatus.ACCREDITED_DISTINCTION
    )
    reopened_results = trail.one(
        "results.reopened", lambda: results.reopen(cohort=cohort, actor=lead, reason="A score was wrong.")
    )
    assert (reopened_results.actor, reopened_results.before, reopened_results.note) == (
        lead,
        {"snapshot": 1},
        "A score was wrong.",
    )

    # Leaving the panel.
    seat = CohortJudge.objects.get(cohort=cohort, judge=kim)
    removed = trail.one(
        "panel.judge_removed", lambda: judging.remove_judge(seat=seat, reason="Moved abroad.", actor=lead)
    )
    assert values(removed) == (lead, {"on the panel": True}, {"on the panel": False})

    # Every entry of the journey (but the people's own) is in the cohort's trail.
    assert (
        not AuditEvent.objects.filter(
            action__in=[
                "cohort.phase_moved",
                "enrolment.created",
                "assessment.submitted",
                "shortlist.added",
                "assignment.added",
                "scorecard.submitted",
                "conflict.declared",
                "reminder.sent",
                "results.finalised",
            ]
        )
        .exclude(cohort=cohort)
        .exists()
    )
