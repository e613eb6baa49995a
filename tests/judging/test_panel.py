"""Judging: the panel, conflicts of interest, assignments, reminders and the
lead's judging dashboard."""

import pytest
from django.conf import settings
from django.core import mail

from accounts import services as account_services
from accounts.models import Invitation, Role
from cohorts.models import EnrolmentStatus, Reminder
from core.errors import ServiceError
from core.models import AuditEvent, OutboundEmail
from judging.models import Assignment, CohortJudge, ConflictDeclaration, Scorecard
from judging.services import panel as judging
from judging.services.scorecards import ensure_scorecard
from organisations.models import Membership
from tests.factories import EnrolmentFactory, OrganisationFactory, UserFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return make_cohort(number=3, phase="shortlisting")


def add_finalists(cohort, names):
    return [
        EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name), status=EnrolmentStatus.FINALIST)
        for name in names
    ]


def seat(cohort, judge):
    return CohortJudge.objects.create(cohort=cohort, judge=judge)


def assign(judge, enrolment):
    return Assignment.objects.create(cohort=enrolment.cohort, judge=judge, enrolment=enrolment)


def score(assignment, *, submitted=False):
    """Start scoring: a score on the first criterion (and submit, if asked)."""
    scorecard = ensure_scorecard(assignment=assignment)
    entry = scorecard.entries.first()
    entry.score = 7
    entry.save(update_fields=["score"])
    if submitted:
        scorecard.status = Scorecard.Status.SUBMITTED
        scorecard.save(update_fields=["status"])
    return scorecard


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def active_pairs(cohort):
    return sorted(
        (a.judge.full_name, a.enrolment.organisation.name)
        for a in cohort.assignments.active().select_related("judge", "enrolment__organisation")
    )


# The panel -----------------------------------------------------------------------


def test_lead_adds_a_judge_who_is_asked_to_declare_conflicts(
    lead_client, lead, cohort, django_capture_on_commit_callbacks
):
    judge = make_judge(email="jonah@example.org", full_name="Jonah Judge")

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/cohorts/3/panel/", {"judge": judge.pk})

    assert response.status_code == 302
    assert response.url == "/cohorts/3/panel/"
    seat = CohortJudge.objects.get(cohort=cohort, judge=judge)
    assert (seat.added_by, seat.removed_at) == (lead, None)
    event = AuditEvent.objects.get(action="panel.judge_added")
    assert (event.actor, event.object_repr, event.after) == (
        lead,
        "Jonah Judge on cohort 3's panel",
        {"judge": "jonah@example.org"},
    )
    assert [m.to for m in mail.outbox] == [["jonah@example.org"]]
    assert mail.outbox[0].subject == "[P&Q portal] You are on the judging panel of cohort 3 of the P&Q programme"
    assert f"Declare your conflicts of interest:\n{settings.SITE_URL}/cohorts/3/conflicts/\n" in mail.outbox[0].body


def test_adding_someone_without_the_judge_role_or_twice_is_refused(lead_client, cohort):
    member = make_member(email="amy@example.org")
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)

    response = lead_client.post("/cohorts/3/panel/", {"judge": member.pk})
    again = lead_client.post("/cohorts/3/panel/", {"judge": judge.pk})

    assert response.status_code == 200
    assert response.context["add_form"].errors == {
        "judge": ["That person does not hold the judge role: invite them by e-mail instead."]
    }
    assert again.context["add_form"].errors == {"judge": ["Jonah Judge is already on the judging panel of cohort 3."]}
    assert CohortJudge.objects.filter(cohort=cohort).count() == 1


def test_an_invited_person_lands_on_the_panel_when_they_accept(
    lead_client, lead, cohort, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/cohorts/3/panel/invite/", {"email": " New.Judge@Example.org "})

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.judge@example.org")
    assert invitation.role == Role.JUDGE
    assert [m.to for m in mail.outbox] == [["new.judge@example.org"]]
    assert mail.outbox[0].subject == "[P&Q portal] You are invited to the P&Q portal as a judge for cohort 3"
    assert f"on the judging panel of cohort 3: {cohort.name}." in mail.outbox[0].body
    event = AuditEvent.objects.get(action="panel.judge_invited")
    assert (event.actor, event.object_id, event.after) == (lead, str(cohort.pk), {"email": "new.judge@example.org"})
    page = lead_client.get("/cohorts/3/panel/")
    assert [i.email for i in page.context["invited"]] == ["new.judge@example.org"]

    token = account_services.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=account_services.hash_token(token))
    user = account_services.register_from_invitation(
        invitation=invitation, full_name="Nia New", password="a-long-pass-phrase"
    )

    seats = CohortJudge.objects.filter(judge=user)
    assert [(s.cohort, s.judge, s.added_by) for s in seats] == [(cohort, user, lead)]
    # Seating again (say, a second call) changes nothing.
    assert judging.seat_invited_judge(invitation=Invitation.objects.get(pk=invitation.pk), user=user) == []
    assert lead_client.get("/cohorts/3/panel/").context["invited"] == []
    assert AuditEvent.objects.filter(action="panel.judge_added").get().note == "accepted the invitation"


def test_an_existing_account_accepting_the_invitation_takes_the_seat(lead_client, cohort):
    invitation = judging.invite_judge(cohort=cohort, email="nia@example.org", actor=None)
    user = UserFactory(email="nia@example.org", full_name="Nia New")

    account_services.accept_invitation(invitation=invitation, user=user)

    assert CohortJudge.objects.filter(cohort=cohort, judge=user, removed_at=None).exists()
    assert lead_client.get("/cohorts/3/panel/").context["invited"] == []


def test_inviting_someone_who_already_judges_seats_them_at_once(lead_client, cohort):
    judge = make_judge(email="jonah@example.org", full_name="Jonah Judge")

    response = lead_client.post("/cohorts/3/panel/invite/", {"email": "JONAH@example.org"}, follow=True)

    assert messages_of(response) == ["Jonah Judge already judges on the portal and is now on this panel."]
    assert CohortJudge.objects.filter(cohort=cohort, judge=judge).count() == 1
    assert Invitation.objects.count() == 0


def test_removing_a_judge_withdraws_open_scorecards_and_ends_assignments(lead_client, lead, cohort):
    anglian, severn, thames = add_finalists(cohort, ["Anglian Water", "Severn Water", "Thames Water"])
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)
    drafted = score(assign(judge, anglian))
    submitted = score(assign(judge, severn), submitted=True)
    assign(judge, thames)

    response = lead_client.post(
        f"/cohorts/3/panel/{CohortJudge.objects.get(judge=judge).pk}/remove/",
        {"reason": "Took a job at a finalist"},
        follow=True,
    )

    assert messages_of(response) == [
        "Jonah Judge has left the panel. Their open scorecards were withdrawn and their assignments ended: "
        "run automatic assignment to fill the places."
    ]
    removed = CohortJudge.objects.get(judge=judge)
    assert (removed.removed_by, removed.removal_reason) == (lead, "Took a job at a finalist")
    assert removed.removed_at is not None
    drafted.refresh_from_db()
    submitted.refresh_from_db()
    assert (drafted.status, drafted.withdrawal_reason) == (
        "withdrawn",
        "removed from the panel: Took a job at a finalist",
    )
    assert submitted.status == "submitted"
    assert cohort.assignments.active().count() == 0
    assert sorted(AuditEvent.objects.filter(actor=lead).values_list("action", flat=True)) == [
        "assignment.ended",
        "assignment.ended",
        "assignment.ended",
        "panel.judge_removed",
        "scorecard.withdrawn",
    ]


def test_a_removed_judge_loses_access(client, cohort):
    (severn,) = add_finalists(cohort, ["Severn Water"])
    judge = make_judge()
    panel_seat = seat(cohort, judge)
    assign(judge, severn)
    client.force_login(judge)
    assert client.get("/cohorts/3/conflicts/").status_code == 200

    judging.remove_judge(seat=panel_seat, reason="Stepped down", actor=None)
    judge = type(judge).objects.get(pk=judge.pk)  # a fresh request: no cached roles

    assert client.get("/cohorts/3/conflicts/").status_code == 403
    assert judge.has_perm("judging.judge_finalist", severn) is False
    assert judge.has_perm("judging.declare_conflict", cohort) is False


def test_removing_needs_a_reason(lead_client, cohort):
    panel_seat = seat(cohort, make_judge())

    response = lead_client.post(f"/cohorts/3/panel/{panel_seat.pk}/remove/", {"reason": " "}, follow=True)

    assert messages_of(response) == ["Give a reason for removing the judge."]
    assert CohortJudge.objects.get(pk=panel_seat.pk).removed_at is None


# Conflicts of interest ----------------------------------------------------------------


def test_a_judge_declares_a_conflict_before_scoring_and_is_never_assigned(client, lead, cohort):
    _, severn = add_finalists(cohort, ["Anglian Water", "Severn Water"])
    judge = make_judge(full_name="Jonah Judge")
    others = [make_judge(full_name=name) for name in ("Tom Ellis", "Uma Rahman", "Victor Hale")]
    for person in [judge, *others]:
        seat(cohort, person)
    client.force_login(judge)

    response = client.post(
        "/cohorts/3/conflicts/",
        {"organisation": severn.organisation.pk, "relationship": "client", "note": "Severn is our biggest client."},
        follow=True,
    )

    assert messages_of(response) == ["Your conflict of interest with Severn Water is recorded."]
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.judge, declaration.organisation, declaration.relationship, declaration.note) == (
        judge,
        severn.organisation,
        "client",
        "Severn is our biggest client.",
    )
    assert [d.organisation.name for d in response.context["declarations"]] == ["Severn Water"]
    declared = AuditEvent.objects.get(action="conflict.declared")
    assert (declared.actor, declared.object_repr, declared.after, declared.note) == (
        judge,
        "Severn Water",
        {"cohort": 3, "relationship": "client"},
        "Severn is our biggest client.",
    )

    judging.assign_automatically(cohort=cohort, actor=lead)

    assert ("Jonah Judge", "Severn Water") not in active_pairs(cohort)
    assert severn.assignments.active().count() == 3


def test_a_conflict_declared_after_scoring_withdraws_the_scorecard(client, lead, cohort):
    (severn,) = add_finalists(cohort, ["Severn Water"])
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)
    assignment = assign(judge, severn)
    scorecard = score(assignment, submitted=True)
    client.force_login(judge)

    response = client.post(
        "/cohorts/3/conflicts/",
        {"organisation": severn.organisation.pk, "relationship": "former_employer", "note": "Worked there in 2024."},
        follow=True,
    )

    assert messages_of(response) == [
        "Your conflict of interest with Severn Water is recorded. You no longer judge it: your scorecard was "
        "withdrawn and the programme lead can see why."
    ]
    scorecard.refresh_from_db()
    assignment.refresh_from_db()
    assert (scorecard.status, scorecard.withdrawal_reason) == ("withdrawn", "conflict declared")
    assert assignment.removed_at is not None
    assert sorted(AuditEvent.objects.filter(actor=judge).values_list("action", "note")) == [
        ("assignment.ended", "conflict declared"),
        ("conflict.declared", "Worked there in 2024."),
        ("scorecard.withdrawn", "conflict declared"),
    ]
    client.force_login(lead)
    dashboard = client.get("/cohorts/3/judging/").context["dashboard"]
    assert [(c.state, c.detail) for c in dashboard.rows[0].cells] == [("withdrawn", "conflict declared")]
    assert [(s.assignment.judge, s.withdrawal_reason) for s in dashboard.withdrawn] == [(judge, "conflict declared")]


def test_membership_counts_by_itself_and_cannot_be_declared_again(client, cohort):
    anglian, severn = add_finalists(cohort, ["Anglian Water", "Severn Water"])
    judge = make_judge()
    Membership.objects.create(user=judge, organisation=severn.organisation)
    seat(cohort, judge)
    client.force_login(judge)

    page = client.get("/cohorts/3/conflicts/")
    declared_twice = client.post(
        "/cohorts/3/conflicts/", {"organisation": severn.organisation.pk, "relationship": "other", "note": "Mine."}
    )

    assert [m.organisation.name for m in page.context["memberships"]] == ["Severn Water"]
    assert list(page.context["form"].fields["organisation"].queryset) == [anglian.organisation]
    assert "That is a conflict of interest without a declaration" in page.content.decode()
    assert declared_twice.context["form"].errors == {
        "organisation": ["You are a member of Severn Water: that is a conflict by itself, with nothing to declare."]
    }
    assert ConflictDeclaration.objects.count() == 0


def test_a_conflict_needs_an_enrolled_organisation_a_relationship_and_a_note(client, cohort):
    add_finalists(cohort, ["Severn Water"])
    elsewhere = OrganisationFactory(name="Elsewhere Water")
    judge = make_judge()
    seat(cohort, judge)
    client.force_login(judge)

    response = client.post(
        "/cohorts/3/conflicts/", {"organisation": elsewhere.pk, "relationship": "cousin", "note": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "organisation": ["Choose an organisation from the list."],
        "relationship": ["Select a valid choice. cousin is not one of the available choices."],
        "note": ["Add a note saying what the relationship is."],
    }
    assert ConflictDeclaration.objects.count() == 0
    with pytest.raises(ServiceError) as refused:
        judging.declare_conflict(cohort=cohort, judge=judge, organisation=elsewhere, relationship="client")
    assert refused.value.message == "Elsewhere Water is not enrolled in cohort 3."


# Assignments ------------------------------------------------------------------------


def test_automatic_assignment_is_balanced_respects_conflicts_and_tells_each_judge(
    lead_client, cohort, django_capture_on_commit_callbacks
):
    finalists = add_finalists(cohort, ["Anglian Water", "Cambrian Water", "Kielder Water", "Severn Water", "Wessex"])
    names = ["Amir Ahmed", "Beth Brown", "Cara Cole", "Dev Dutt"]
    judges = [make_judge(full_name=name, email=f"{name.split()[0].lower()}@example.org") for name in names]
    for judge in judges:
        seat(cohort, judge)
    ConflictDeclaration.objects.create(
        cohort=cohort, judge=judges[0], organisation=finalists[3].organisation, relationship="supplier"
    )
    Membership.objects.create(user=judges[1], organisation=finalists[0].organisation)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/cohorts/3/assignments/run/", follow=True)

    assert messages_of(response) == [
        "Automatic assignment made 15 new assignments; 4 judges told their finalists by e-mail."
    ]
    pairs = active_pairs(cohort)
    assert len(pairs) == 15
    assert ("Amir Ahmed", "Severn Water") not in pairs
    assert ("Beth Brown", "Anglian Water") not in pairs
    assert all(finalist.assignments.active().count() == 3 for finalist in finalists)
    loads = sorted(sum(1 for judge, _ in pairs if judge == name) for name in names)
    assert loads == [3, 4, 4, 4]
    assert set(Assignment.objects.values_list("method", flat=True)) == {"automatic"}
    assert response.context["complete"] is True
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amir@example.org",
        "beth@example.org",
        "cara@example.org",
        "dev@example.org",
    ]
    amir = next(m for m in mail.outbox if m.to == ["amir@example.org"])
    amirs = sorted(finalist for judge, finalist in pairs if judge == "Amir Ahmed")
    assert amir.subject == "[P&Q portal] Your finalists to judge in cohort 3 of the P&Q programme"
    assert "".join(f"\n- {name}" for name in amirs) in amir.body
    assert "Your scorecards are due by 23:59 on 15 June 2027 (Europe/London)." in amir.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = lead_client.post("/cohorts/3/assignments/run/", follow=True)

    assert messages_of(again) == [
        "Automatic assignment changed nothing: every finalist already has the judges it can get."
    ]
    assert active_pairs(cohort) == pairs
    assert mail.outbox == []


def test_automatic_assignment_says_which_finalist_is_short_and_why(lead_client, cohort):
    _, severn = add_finalists(cohort, ["Anglian Water", "Severn Water"])
    amir, beth, cara = (make_judge(full_name=name) for name in ("Amir Ahmed", "Beth Brown", "Cara Cole"))
    for judge in (amir, beth, cara):
        seat(cohort, judge)
    ConflictDeclaration.objects.create(
        cohort=cohort, judge=amir, organisation=severn.organisation, relationship="client"
    )
    Membership.objects.create(user=beth, organisation=severn.organisation)

    response = lead_client.post("/cohorts/3/assignments/run/", follow=True)

    reason = (
        "needs 3 judges but only 1 of the 3 on the panel can judge it (2 conflicted); "
        "conflicted: Amir Ahmed (declared: client), Beth Brown (member of the organisation)"
    )
    assert messages_of(response) == [
        "Automatic assignment made 4 new assignments; 3 judges told their finalists by e-mail.",
        f"Severn Water is short of judges: {reason}.",
    ]
    rows = {row.enrolment.organisation.name: row for row in response.context["rows"]}
    assert (rows["Anglian Water"].short_by, rows["Anglian Water"].shortfall) == (0, "")
    assert (rows["Severn Water"].short_by, rows["Severn Water"].shortfall) == (2, reason)
    event = AuditEvent.objects.get(action="assignment.automatic_run")
    assert event.after == {
        "assignments added": 4,
        "assignments ended": 0,
        "short of judges": [f"Severn Water: {reason}"],
    }


def test_started_scoring_is_never_moved_and_unstarted_assignments_are_rebalanced(lead, cohort):
    finalists = add_finalists(cohort, ["A Water", "B Water", "C Water", "D Water"])
    amir, beth = make_judge(full_name="Amir Ahmed"), make_judge(full_name="Beth Brown")
    for judge in (amir, beth):
        seat(cohort, judge)
    cohort.judges_per_finalist = 1
    cohort.save(update_fields=["judges_per_finalist"])
    started = [score(assign(amir, finalists[0])), score(assign(amir, finalists[1]))]
    assign(amir, finalists[2])
    assign(amir, finalists[3])

    run = judging.assign_automatically(cohort=cohort, actor=lead)

    assert sorted((a.judge.full_name, a.enrolment.organisation.name) for a in run.ended) == [
        ("Amir Ahmed", "C Water"),
        ("Amir Ahmed", "D Water"),
    ]
    assert [a.enrolment.organisation.name for a in run.added] == ["C Water", "D Water"]
    assert active_pairs(cohort) == [
        ("Amir Ahmed", "A Water"),
        ("Amir Ahmed", "B Water"),
        ("Beth Brown", "C Water"),
        ("Beth Brown", "D Water"),
    ]
    assert [card.status for card in Scorecard.objects.filter(pk__in=[s.pk for s in started])] == ["draft", "draft"]
    assert set(AuditEvent.objects.filter(action="assignment.ended").values_list("note", flat=True)) == {
        "moved to another judge to balance the load"
    }


def test_manual_add_of_a_conflicted_judge_is_refused(lead_client, cohort):
    (severn,) = add_finalists(cohort, ["Severn Water"])
    jonah, mia = make_judge(full_name="Jonah Judge"), make_judge(full_name="Mia Member")
    outsider = make_judge(full_name="Olly Outsider")
    seat(cohort, jonah)
    seat(cohort, mia)
    ConflictDeclaration.objects.create(
        cohort=cohort, judge=jonah, organisation=severn.organisation, relationship="competitor"
    )
    Membership.objects.create(user=mia, organisation=severn.organisation)

    declared = lead_client.post("/cohorts/3/assignments/add/", {"judge": jonah.pk, "enrolment": severn.pk})
    member = lead_client.post("/cohorts/3/assignments/add/", {"judge": mia.pk, "enrolment": severn.pk})
    off_panel = lead_client.post("/cohorts/3/assignments/add/", {"judge": outsider.pk, "enrolment": severn.pk})

    assert declared.status_code == 200
    assert declared.context["assign_form"].non_field_errors() == [
        "Jonah Judge cannot judge Severn Water: they declared a conflict of interest (competitor)."
    ]
    assert member.context["assign_form"].non_field_errors() == [
        "Mia Member cannot judge Severn Water: they are a member of it."
    ]
    assert off_panel.context["assign_form"].non_field_errors() == [
        "Olly Outsider is not on the judging panel of cohort 3: add them to the panel first."
    ]
    assert Assignment.objects.count() == 0
    assert [label for _, label in declared.context["assign_form"].fields["judge"].widget.choices] == [
        "Choose a judge",
        "Jonah Judge",
        "Mia Member",
    ]


def test_manual_add_and_remove(lead_client, lead, cohort, django_capture_on_commit_callbacks):
    (severn,) = add_finalists(cohort, ["Severn Water"])
    judge = make_judge(full_name="Jonah Judge", email="jonah@example.org")
    seat(cohort, judge)

    with django_capture_on_commit_callbacks(execute=True):
        added = lead_client.post(
            "/cohorts/3/assignments/add/", {"judge": judge.pk, "enrolment": severn.pk}, follow=True
        )

    assignment = Assignment.objects.get()
    assert messages_of(added) == ["Jonah Judge now judges Severn Water; we have told them by e-mail."]
    assert (assignment.method, assignment.created_by) == ("manual", lead)
    added_event = AuditEvent.objects.for_object(severn).get(action="assignment.added")
    assert (added_event.actor, added_event.after) == (lead, {"judge": "Jonah Judge", "method": "by hand"})
    assert [m.to for m in mail.outbox] == [["jonah@example.org"]]
    scorecard = score(assignment)

    with django_capture_on_commit_callbacks(execute=True):
        removed = lead_client.post(f"/cohorts/3/assignments/{assignment.pk}/remove/", follow=True)

    assert messages_of(removed) == [
        "Jonah Judge no longer judges Severn Water (any scorecard they had started was withdrawn)."
    ]
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.withdrawal_reason) == (
        "withdrawn",
        "assignment removed by the programme lead",
    )
    assert Assignment.objects.active().count() == 0
    ended_event = AuditEvent.objects.for_object(severn).get(action="assignment.ended")
    assert (ended_event.before, ended_event.after, ended_event.note) == (
        {"judge": "Jonah Judge"},
        {"judge": None},
        "assignment removed by the programme lead",
    )
    assert "You have no finalists to judge in cohort 3" in mail.outbox[-1].body


def test_manual_add_of_a_finalist_of_another_cohort_or_not_a_finalist_is_refused(lead, cohort):
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)
    enrolled = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Enrolled Water"))

    with pytest.raises(ServiceError) as refused:
        judging.assign_by_hand(cohort=cohort, judge=judge, enrolment=enrolled, actor=lead)
    assert refused.value.message == "Enrolled Water is not a finalist of cohort 3."


# Reminders -------------------------------------------------------------------------


def test_a_reminder_is_recorded_e_mailed_and_its_time_shown(
    lead_client, lead, cohort, django_capture_on_commit_callbacks
):
    anglian, severn, thames = add_finalists(cohort, ["Anglian Water", "Severn Water", "Thames Water"])
    judge = make_judge(full_name="Jonah Judge", email="jonah@example.org")
    seat(cohort, judge)
    assign(judge, anglian)
    score(assign(judge, severn))
    score(assign(judge, thames), submitted=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/cohorts/3/judging/remind/{judge.pk}/", {"page": "1"}, follow=True)

    assert response.redirect_chain == [("/cohorts/3/judging/?page=1", 302)]
    assert messages_of(response) == ["We have reminded Jonah Judge of their open scorecards by e-mail."]
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.kind, reminder.key, reminder.sent_by) == (judge, "judging", "", lead)
    assert [m.to for m in mail.outbox] == [["jonah@example.org"]]
    email = mail.outbox[0]
    assert email.subject == "[P&Q portal] Reminder: your scorecards for cohort 3 are due by 15 June 2027"
    assert "\n- Anglian Water (not started)\n- Severn Water (in progress)\n" in email.body
    assert "Thames Water" not in email.body
    assert "The judging deadline is 23:59 on 15 June 2027 (Europe/London)." in email.body
    (progress,) = response.context["dashboard"].judges
    assert (progress.assigned, progress.submitted, progress.open, progress.last_reminder) == (
        3,
        1,
        2,
        reminder.sent_at,
    )
    local = reminder.sent_at.astimezone(cohort.zone)
    assert f"{local:%H:%M}, {local.day} {local:%b %Y}" in response.content.decode()


def test_a_judge_with_nothing_open_is_not_reminded(lead_client, cohort):
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)

    response = lead_client.post(f"/cohorts/3/judging/remind/{judge.pk}/", follow=True)

    assert messages_of(response) == [
        "Jonah Judge has no open scorecards in cohort 3: there is nothing to remind them of."
    ]
    assert Reminder.objects.count() == 0


# The lead's judging dashboard -----------------------------------------------------


def test_dashboard_shows_each_cells_state(lead_client, lead, cohort):
    names = ["Anglian Water", "Cambrian Water", "Kielder Water", "Severn Water", "Thames Water", "Wessex Water"]
    anglian, cambrian, kielder, severn, thames, wessex = add_finalists(cohort, names)
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)
    assign(judge, anglian)
    score(assign(judge, cambrian))
    score(assign(judge, kielder), submitted=True)
    ConflictDeclaration.objects.create(
        cohort=cohort, judge=judge, organisation=severn.organisation, relationship="client"
    )
    Membership.objects.create(user=judge, organisation=thames.organisation)
    judging.unassign(assignment=assign(judge, wessex), actor=lead)

    response = lead_client.get("/cohorts/3/judging/")

    dashboard = response.context["dashboard"]
    assert [(row.enrolment.organisation.name, row.cells[0].label, row.cells[0].detail) for row in dashboard.rows] == [
        ("Anglian Water", "Assigned – not started", ""),
        ("Cambrian Water", "In progress", ""),
        ("Kielder Water", "Submitted", ""),
        ("Severn Water", "Conflict", "declared: client"),
        ("Thames Water", "Conflict", "member of the organisation"),
        ("Wessex Water", "Not assigned", ""),
    ]
    assert [(d.judge, d.organisation.name) for d in dashboard.declarations] == [(judge, "Severn Water")]
    assert [(c.judge, c.enrolment.organisation.name) for c in dashboard.memberships] == [(judge, "Thames Water")]


def test_dashboard_pages_through_finalists(lead_client, cohort):
    add_finalists(cohort, [f"Finalist {n:02d}" for n in range(1, 18)])
    seat(cohort, make_judge())

    first = lead_client.get("/cohorts/3/judging/")
    second = lead_client.get("/cohorts/3/judging/?page=2")

    assert [row.enrolment.organisation.name for row in first.context["dashboard"].rows][-1] == "Finalist 15"
    assert [row.enrolment.organisation.name for row in second.context["dashboard"].rows] == [
        "Finalist 16",
        "Finalist 17",
    ]
    assert "Finalists 16–17 of 17, one column per judge." in second.content.decode()


@pytest.mark.parametrize("finalist_count", [3, 40])
def test_dashboard_and_assignments_queries_do_not_grow_with_finalists(
    lead_client, lead, cohort, django_assert_max_num_queries, finalist_count
):
    finalists = add_finalists(cohort, [f"Finalist {n:02d}" for n in range(finalist_count)])
    judges = [make_judge() for _ in range(4)]
    for judge in judges:
        seat(cohort, judge)
    ConflictDeclaration.objects.create(
        cohort=cohort, judge=judges[0], organisation=finalists[0].organisation, relationship="client"
    )
    Membership.objects.create(user=judges[1], organisation=finalists[1].organisation)
    judging.assign_automatically(cohort=cohort, actor=lead)
    for assignment in Assignment.objects.active()[::2]:
        score(assignment, submitted=assignment.pk % 4 == 0)
    judging.remind_judge(cohort=cohort, judge=judges[2], actor=lead)

    with django_assert_max_num_queries(22):
        assert lead_client.get("/cohorts/3/judging/").status_code == 200
    with django_assert_max_num_queries(16):
        assert lead_client.get("/cohorts/3/assignments/").status_code == 200
    with django_assert_max_num_queries(18):
        assert lead_client.get("/cohorts/3/panel/").status_code == 200


# Access ---------------------------------------------------------------------------


LEAD_PAGES = ["/cohorts/3/panel/", "/cohorts/3/assignments/", "/cohorts/3/judging/"]
LEAD_POSTS = [
    "/cohorts/3/panel/",
    "/cohorts/3/panel/invite/",
    "/cohorts/3/assignments/run/",
    "/cohorts/3/assignments/add/",
]


def test_lead_pages_are_forbidden_to_everyone_else(client, cohort):
    judge = make_judge()
    seat(cohort, judge)
    panel_seat = CohortJudge.objects.get()
    for person in (judge, make_member()):
        client.force_login(person)
        for url in LEAD_PAGES:
            assert client.get(url).status_code == 403, url
        for url in [*LEAD_POSTS, f"/cohorts/3/panel/{panel_seat.pk}/remove/", f"/cohorts/3/judging/remind/{judge.pk}/"]:
            assert client.post(url, {"reason": "x", "judge": judge.pk}).status_code == 403, url
    assert CohortJudge.objects.get().removed_at is None
    assert Reminder.objects.count() == 0


def test_lead_pages_send_visitors_to_sign_in(client, cohort):
    for url in [*LEAD_PAGES, "/cohorts/3/conflicts/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url


def test_the_conflicts_page_is_only_for_the_cohorts_panel(client, lead, cohort):
    other_cohort = make_cohort(number=4)
    judge_elsewhere = make_judge()
    seat(other_cohort, judge_elsewhere)
    (severn,) = add_finalists(cohort, ["Severn Water"])

    for person in (judge_elsewhere, lead, make_member()):
        client.force_login(person)
        assert client.get("/cohorts/3/conflicts/").status_code == 403
        response = client.post(
            "/cohorts/3/conflicts/", {"organisation": severn.organisation.pk, "relationship": "client", "note": "x"}
        )
        assert response.status_code == 403
    assert ConflictDeclaration.objects.count() == 0
    client.force_login(judge_elsewhere)
    assert client.get("/cohorts/4/conflicts/").status_code == 200
    assert client.get("/cohorts/99/conflicts/").status_code == 404


def test_judging_is_frozen_once_results_are_out(lead, cohort):
    (severn,) = add_finalists(cohort, ["Severn Water"])
    judge = make_judge()
    panel_seat = seat(cohort, judge)
    cohort.phase = "results"
    cohort.save(update_fields=["phase"])

    for attempt in (
        lambda: judging.add_judge(cohort=cohort, judge=make_judge(), actor=lead),
        lambda: judging.remove_judge(seat=panel_seat, reason="Late", actor=lead),
        lambda: judging.assign_automatically(cohort=cohort, actor=lead),
        lambda: judging.assign_by_hand(cohort=cohort, judge=judge, enrolment=severn, actor=lead),
        lambda: judging.declare_conflict(
            cohort=cohort, judge=judge, organisation=severn.organisation, relationship="client"
        ),
    ):
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.message == "Cohort 3 is in results: judging can no longer change."


def test_judging_e_mails_read_well(cohort):
    judge = make_judge(full_name="Jonah Judge", email="jonah@example.org")
    (severn,) = add_finalists(cohort, ["Severn Water"])
    seat(cohort, judge)
    assign(judge, severn)

    judging._tell_judge_their_finalists(cohort, judge)

    email = OutboundEmail.objects.get()
    assert email.body_text == (
        "Hello Jonah,\n\n"
        "In cohort 3 (Cohort 3 name) you judge 1 finalist:\n\n"
        "- Severn Water\n\n"
        "Your scorecards are due by 23:59 on 15 June 2027 (Europe/London).\n\n"
        "Read their self-assessments and score them from your judging page:\n"
        f"{settings.SITE_URL}/judge/\n\n"
        "P&Q accreditation portal\n"
    )


def test_the_lead_reaches_the_unlock_page_from_a_submitted_cell(lead_client, cohort):
    [finalist] = add_finalists(cohort, ["Anglian Water"])
    judge = make_judge(full_name="Jonah Judge")
    seat(cohort, judge)
    assignment = assign(judge, finalist)
    score(assignment, submitted=True)

    page = lead_client.get("/cohorts/3/judging/").content.decode()

    assert f'href="/judging/{assignment.pk}/unlock/?next=/cohorts/3/judging/"' in page
    assert lead_client.get(f"/judging/{assignment.pk}/unlock/").status_code == 200
