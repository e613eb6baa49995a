"""Every e-mail of the programme, sent by the service that makes the step,
to the right people, with the portal's prefix, the cohort's name and a
direct link in both the text and the HTML, and a notification on the site.
(Deadline reminders: tests/cohorts/test_reminders.py; certificates: the
documents tests.)"""

import re

import pytest
from django.conf import settings
from django.core import mail

from accounts import services as account_services
from accounts.models import Role
from assessments.services import self_assessment
from cohorts.models import Enrolment, EnrolmentStatus, Phase
from cohorts.services import applications, programme
from core.models import Notification
from judging.services import panel as judging
from judging.services import scorecards, shortlisting
from results import services as results
from tests.factories import OrganisationFactory, UserFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

PREFIX = "[P&Q portal] "
COHORT_NAME = "Utilities & beyond"


def to_phase(cohort, phase):
    cohort.phase = phase
    cohort.save(update_fields=["phase"])


def sent(callbacks, action) -> list:
    """The e-mails `action` sends, once its transaction has committed."""
    mail.outbox.clear()
    with callbacks(execute=True):
        action()
    return list(mail.outbox)


def check(messages, *, to: list[str], subject: str, link: str, cohort_name: bool = True):
    """Each message: one recipient each, the subject (with the prefix), the
    cohort's name and the link in text and HTML; the site's users among the
    recipients have a notification leading to the same page."""
    assert sorted(m.to[0] for m in messages) == sorted(to)
    url = f"{settings.SITE_URL}{link}"
    for message in messages:
        assert message.subject == PREFIX + subject
        html = message.alternatives[0][0]
        assert url in message.body, message.body
        assert f'href="{url}"' in html
        if cohort_name:
            assert COHORT_NAME in message.body
            assert "Utilities &amp; beyond" in html
        assert "&amp;" not in message.body and "&#x27;" not in message.body
    users = Notification.objects.filter(title=subject, user__email__in=to)
    assert {n.user.email for n in users} == {
        address for address in to if UserFactory._meta.model.objects.filter(email=address).exists()
    }
    if "/invitations/" not in link:
        assert {n.link for n in users} <= {link}


@pytest.fixture
def programme_world(lead):
    """Cohort 5 in enrolment; Severn (Amy, Ben) and Wye (Cy) have members."""
    cohort = make_cohort(number=5, phase=Phase.ENROLMENT, name=COHORT_NAME)
    severn, wye = OrganisationFactory(name="Severn Water"), OrganisationFactory(name="Wye Water")
    make_member(email="amy@severn.example", organisation=severn)
    make_member(email="ben@severn.example", organisation=severn)
    make_member(email="cy@wye.example", organisation=wye)
    return {"cohort": cohort, "severn": severn, "wye": wye, "lead": lead}


def test_invitation(lead, django_capture_on_commit_callbacks):
    messages = sent(
        django_capture_on_commit_callbacks,
        lambda: account_services.invite(email="new@judges.example", role=Role.JUDGE, invited_by=lead),
    )

    [message] = messages
    assert message.to == ["new@judges.example"]
    assert message.subject == PREFIX + "You are invited to the P&Q portal as a judge"
    link = re.search(r"http://127\.0\.0\.1:8000/invitations/[\w-]+/", message.body).group(0)
    assert f'href="{link}"' in message.alternatives[0][0]


def test_application_accepted_and_declined(programme_world, lead, django_capture_on_commit_callbacks):
    cohort = programme_world["cohort"]
    dee, exe = UserFactory(email="dee@dee.example"), UserFactory(email="ed@exe.example")

    def apply(user, name):
        return applications.apply(
            cohort=cohort, applicant=user, organisation_name=name, sector="water", size="small", motivation="Growth."
        )

    first, second = apply(dee, "Dee Water"), apply(exe, "Exe Water")

    accepted = sent(
        django_capture_on_commit_callbacks, lambda: applications.accept_application(application=first, actor=lead)
    )
    check(
        accepted,
        to=["dee@dee.example"],
        subject=f"Accepted: Dee Water is enrolled in cohort 5, {COHORT_NAME}",
        link="/organisation/",
    )
    declined = sent(
        django_capture_on_commit_callbacks,
        lambda: applications.decline_application(application=second, actor=lead, reason="Not a contact centre."),
    )
    check(
        declined,
        to=["ed@exe.example"],
        subject=f"Your application to cohort 5, {COHORT_NAME}, was not accepted",
        link=f"/applications/{second.pk}/",
    )
    assert "Not a contact centre." in declined[0].body


def test_the_programme_from_enrolment_to_results(programme_world, lead, django_capture_on_commit_callbacks):
    world = programme_world
    cohort, severn, wye = world["cohort"], world["severn"], world["wye"]
    severn_members = ["amy@severn.example", "ben@severn.example"]

    # Enrolment confirmed, to every member.
    enrolled = sent(
        django_capture_on_commit_callbacks,
        lambda: programme.enrol(cohort=cohort, organisations=[severn, wye], actor=lead),
    )
    check(
        [m for m in enrolled if m.to[0] in severn_members],
        to=severn_members,
        subject="Severn Water is enrolled in cohort 5 of the P&Q programme",
        link="/organisation/",
    )
    assert sorted(m.to[0] for m in enrolled) == [*severn_members, "cy@wye.example"]

    # Self-assessment submitted: a receipt to every member; reopened: every member told.
    to_phase(cohort, Phase.SELF_ASSESSMENT)
    severn_enrolment, wye_enrolment = (Enrolment.objects.get(organisation=o) for o in (severn, wye))
    assessments = {}
    for enrolment in (severn_enrolment, wye_enrolment):
        assessment = self_assessment.ensure_assessment(enrolment=enrolment)
        for response in assessment.responses.all():
            self_assessment.save_answer(response=response, field="level", value="3", base="", actor=None)
            self_assessment.save_answer(response=response, field="narrative", value="We do.", base="", actor=None)
        assessments[enrolment.organisation.name] = assessment
    amy = severn.memberships.get(user__email="amy@severn.example").user
    severn_assessment = assessments["Severn Water"]
    receipts = sent(
        django_capture_on_commit_callbacks,
        lambda: self_assessment.submit(assessment=severn_assessment, actor=amy),
    )
    check(
        receipts,
        to=severn_members,
        subject="Receipt: Severn Water's self-assessment for cohort 5 is submitted",
        link=f"/assessments/{severn_assessment.pk}/",
    )
    reopened = sent(
        django_capture_on_commit_callbacks,
        lambda: self_assessment.reopen(assessment=severn_assessment, actor=lead, reason="P3 evidence is missing."),
    )
    check(
        reopened,
        to=severn_members,
        subject="Severn Water's self-assessment for cohort 5 is open for changes again",
        link=f"/assessments/{severn_assessment.pk}/",
    )
    assert "P3 evidence is missing." in reopened[0].body
    self_assessment.submit(assessment=severn_assessment, actor=amy)
    self_assessment.submit(assessment=assessments["Wye Water"], actor=None)

    # Shortlist: finalists and the others are told separately.
    to_phase(cohort, Phase.SHORTLISTING)
    shortlisting.select_finalist(enrolment=severn_enrolment, actor=lead)
    announced = sent(
        django_capture_on_commit_callbacks, lambda: shortlisting.announce_shortlist(cohort=cohort, actor=lead)
    )
    check(
        [m for m in announced if m.to[0] in severn_members],
        to=severn_members,
        subject="Severn Water is a finalist in cohort 5 of the P&Q programme",
        link="/organisation/",
    )
    check(
        [m for m in announced if m.to[0] == "cy@wye.example"],
        to=["cy@wye.example"],
        subject="The cohort 5 shortlist: thank you from the P&Q programme",
        link="/organisation/",
    )

    # The panel and the judge's finalists.
    jo = make_judge(email="jo@judges.example", full_name="Jo Marsh")
    panel = sent(django_capture_on_commit_callbacks, lambda: judging.add_judge(cohort=cohort, judge=jo, actor=lead))
    check(
        panel,
        to=["jo@judges.example"],
        subject="You are on the judging panel of cohort 5 of the P&Q programme",
        link="/cohorts/5/conflicts/",
    )
    to_phase(cohort, Phase.JUDGING)
    severn_enrolment.refresh_from_db()
    assigned = sent(
        django_capture_on_commit_callbacks,
        lambda: judging.assign_by_hand(cohort=cohort, judge=jo, enrolment=severn_enrolment, actor=lead),
    )
    check(
        assigned,
        to=["jo@judges.example"],
        subject="Your finalists to judge in cohort 5 of the P&Q programme",
        link="/judge/",
    )
    assert "- Severn Water" in assigned[0].body

    # A scorecard unlocked.
    assignment = severn_enrolment.assignments.get()
    card = scorecards.ensure_scorecard(assignment=assignment)
    for entry in card.entries.all():
        scorecards.save_score(entry=entry, field="score", value="8", base="", actor=jo)
    scorecards.submit(scorecard=card, actor=jo)
    unlocked = sent(
        django_capture_on_commit_callbacks,
        lambda: scorecards.unlock(scorecard=card, actor=lead, reason="P6 was scored before the presentation."),
    )
    check(
        unlocked,
        to=["jo@judges.example"],
        subject="Your scorecard for Severn Water (cohort 5) is open for changes again",
        link=f"/judging/{assignment.pk}/",
    )
    scorecards.submit(scorecard=card, actor=jo)

    # Results: each organisation told its own outcome.
    published = sent(django_capture_on_commit_callbacks, lambda: results.finalise(cohort=cohort, actor=lead))
    results_mail = [m for m in published if m.subject.startswith(PREFIX + "Results of cohort 5")]
    check(
        [m for m in results_mail if m.to[0] in severn_members],
        to=severn_members,
        subject="Results of cohort 5 of the P&Q programme: Severn Water",
        link=f"/cohorts/5/my-results/{Enrolment.objects.get(organisation=world['severn']).pk}/",
    )
    check(
        [m for m in results_mail if m.to[0] == "cy@wye.example"],
        to=["cy@wye.example"],
        subject="Results of cohort 5 of the P&Q programme: Wye Water",
        link=f"/cohorts/5/my-results/{Enrolment.objects.get(organisation=world['wye']).pk}/",
    )
    outcomes = dict(Enrolment.objects.values_list("organisation__name", "status"))
    assert outcomes == {
        "Severn Water": EnrolmentStatus.ACCREDITED_DISTINCTION,
        "Wye Water": EnrolmentStatus.NOT_SHORTLISTED,
    }
    assert (
        "Severn Water: Accredited with distinction."
        in next(m for m in results_mail if m.to == ["amy@severn.example"]).body
    )
    assert "Wye Water: Not shortlisted." in next(m for m in results_mail if m.to == ["cy@wye.example"]).body
