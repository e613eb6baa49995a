from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from assessments.index import round_half_up
from assessments.models import Response, SelfAssessment
from assessments.services import self_assessment
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase
from cohorts.services import programme
from core.errors import ServiceError
from core.models import AuditEvent
from judging.models import Assignment
from judging.services import shortlisting
from organisations.models import Membership
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

# The default timeline from 15 January 2027: self-assessment deadline 15 May,
# judging and on-site presentations 15 June (judging deadline 23:59 that day),
# award ceremony 15 July 2027.
WHILE_OPEN = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
PAGE = "/cohorts/3/shortlist/"


def to_phase(cohort: Cohort, phase: str) -> Cohort:
    Cohort.objects.filter(pk=cohort.pk).update(phase=phase)
    cohort.refresh_from_db()
    return cohort


def submitted(cohort, name, level=3, *, members=(), **levels) -> Enrolment:
    """An organisation that submitted its self-assessment with `level` on
    every criterion except those named in `levels` (code=level)."""
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name))
    for email in members:
        make_member(organisation=enrolment.organisation, email=email)
    assessment = self_assessment.ensure_assessment(enrolment=enrolment)
    for response in assessment.responses.select_related("criterion"):
        value = levels.get(response.criterion.code, level)
        for field, text in (("level", str(value)), ("narrative", "Evidence.")):
            self_assessment.save_answer(response=response, field=field, value=text, base="", actor=None, now=WHILE_OPEN)
    self_assessment.submit(assessment=assessment, actor=None, now=WHILE_OPEN)
    enrolment.refresh_from_db()
    return enrolment


def drafted(cohort, name, *, members=()) -> Enrolment:
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name))
    for email in members:
        make_member(organisation=enrolment.organisation, email=email)
    assessment = self_assessment.ensure_assessment(enrolment=enrolment)
    response = assessment.responses.first()
    self_assessment.save_answer(response=response, field="level", value="5", base="", actor=None, now=WHILE_OPEN)
    return enrolment


@pytest.fixture
def cohort():
    return make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)


@pytest.fixture
def five(cohort):
    """Five submissions with hand-worked indexes. The weights of the criteria
    that are not judging-only add up to 13; level L counts (L − 1) · 2.5:

    Severn   every level 4                      → 75.0
    Anglian  level 3, Q4 (weight 2) at 5        → 10 · (11·5 + 2·10) / 13 = 750/13 = 57.69…
    Wessex   level 3, Q2 (weight 1) at 5        → 10 · (12·5 + 1·10) / 13 = 700/13 = 53.85…
    Dee      level 3, P5 (weight 1) at 5        → 700/13, tied with Wessex
    Cam      every level 3                      → 50.0
    """
    made = {
        "Severn": submitted(cohort, "Severn Water", 4, members=["sam@severn.example", "sue@severn.example"]),
        "Anglian": submitted(cohort, "Anglian Water", 3, Q4=5, members=["ann@anglian.example"]),
        "Wessex": submitted(cohort, "Wessex Water", 3, Q2=5, members=["wes@wessex.example"]),
        "Dee": submitted(cohort, "Dee Water", 3, P5=5, members=["dee@dee.example"]),
        "Cam": submitted(cohort, "Cam Water", 3, members=["cam@cam.example"]),
        "Draft": drafted(cohort, "Draft Water", members=["dan@draft.example"]),
    }
    to_phase(cohort, Phase.SHORTLISTING)
    return made


def statuses(cohort) -> dict[str, str]:
    return dict(cohort.enrolments.values_list("organisation__name", "status"))


def finalists(cohort) -> list[str]:
    return sorted(
        cohort.enrolments.filter(status=EnrolmentStatus.FINALIST).values_list("organisation__name", flat=True)
    )


def shortlist_actions() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action__startswith="shortlist.").order_by("id").values_list("action", "object_repr")
    )


# Ranking ----------------------------------------------------------------------


def test_submissions_rank_by_hand_worked_index_and_ties_share_a_rank(cohort, five):
    ranked = shortlisting.ranked_submissions(cohort)

    assert [(r.enrolment.organisation.name, r.rank, round_half_up(r.summary.index, 4)) for r in ranked] == [
        ("Severn Water", 1, Decimal("75.0000")),
        ("Anglian Water", 2, Decimal("57.6923")),
        ("Dee Water", 3, Decimal("53.8462")),
        ("Wessex Water", 3, Decimal("53.8462")),
        ("Cam Water", 5, Decimal("50.0000")),
    ]


def test_the_page_ranks_submissions_with_completeness(lead_client, five):
    response = lead_client.get(PAGE)

    assert response.status_code == 200
    assert [
        (r.rank, r.enrolment.organisation.name, r.summary.done, r.summary.total) for r in response.context["rows"]
    ] == [
        (1, "Severn Water", 10, 10),
        (2, "Anglian Water", 10, 10),
        (3, "Dee Water", 10, 10),
        (3, "Wessex Water", 10, 10),
        (5, "Cam Water", 10, 10),
    ]
    assert [e.organisation.name for e, _ in response.context["not_submitted"]] == ["Draft Water"]
    html = response.content.decode()
    assert "57.7" in html
    assert "53.8" in html
    assert '<progress max="10" value="10" aria-label="10 of 10 criteria complete"></progress>' in html
    assert "0 finalists</strong> of 5 organisations that submitted" in html
    assert "Draft, 0 of 10 criteria complete" in html


# One by one, and the undo -------------------------------------------------------


def test_lead_selects_a_finalist_and_undoes_it(lead_client, lead, cohort, five):
    severn = five["Severn"]

    selected = lead_client.post(f"{PAGE}{severn.pk}/select/", follow=True)
    assert finalists(cohort) == ["Severn Water"]
    assert [str(m) for m in selected.context["messages"]] == ["Severn Water is now a finalist."]
    assert "1 finalist</strong> of 5 organisations" in selected.content.decode()

    undone = lead_client.post(f"{PAGE}{severn.pk}/unselect/", follow=True)
    assert finalists(cohort) == []
    assert statuses(cohort)["Severn Water"] == EnrolmentStatus.SUBMITTED
    assert [str(m) for m in undone.context["messages"]] == ["Severn Water was taken off the shortlist."]

    events = list(AuditEvent.objects.filter(action__startswith="shortlist.").order_by("id"))
    assert [(e.action, e.actor, e.object_id, e.before, e.after) for e in events] == [
        ("shortlist.added", lead, str(severn.pk), {"status": "submitted"}, {"status": "finalist"}),
        ("shortlist.removed", lead, str(severn.pk), {"status": "finalist"}, {"status": "submitted"}),
    ]


def test_selecting_a_finalist_twice_is_refused(lead, five):
    shortlisting.select_finalist(enrolment=five["Cam"], actor=lead)

    with pytest.raises(ServiceError, match=r"^Cam Water is already a finalist\.$"):
        shortlisting.select_finalist(enrolment=five["Cam"], actor=lead)
    with pytest.raises(ServiceError, match=r"^Dee Water is not a finalist\.$"):
        shortlisting.unselect_finalist(enrolment=five["Dee"], actor=lead)
    assert shortlist_actions() == [("shortlist.added", "Cam Water in cohort 3")]


def test_only_submitted_self_assessments_can_be_finalists(lead_client, lead, cohort, five):
    silent = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Silent Water"))
    gone = submitted_then_withdrawn(cohort, lead)

    for enrolment, message in (
        (
            five["Draft"],
            "Only organisations that have submitted their self-assessment can be finalists; Draft Water has not.",
        ),
        (
            silent,
            "Only organisations that have submitted their self-assessment can be finalists; Silent Water has not.",
        ),
        (gone, "Gone Water has withdrawn from the cohort."),
    ):
        with pytest.raises(ServiceError) as refused:
            shortlisting.select_finalist(enrolment=enrolment, actor=lead)
        assert refused.value.message == message

    posted = lead_client.post(f"{PAGE}{five['Draft'].pk}/select/", follow=True)

    assert [str(m) for m in posted.context["messages"]] == [
        "Only organisations that have submitted their self-assessment can be finalists; Draft Water has not."
    ]
    assert finalists(cohort) == []
    assert shortlist_actions() == []


def submitted_then_withdrawn(cohort, lead) -> Enrolment:
    to_phase(cohort, Phase.SELF_ASSESSMENT)
    enrolment = submitted(cohort, "Gone Water", 5)
    to_phase(cohort, Phase.SHORTLISTING)
    return programme.withdraw(enrolment=enrolment, actor=lead, reason="Merged with another company.")


def test_an_enrolment_of_another_cohort_is_not_found(lead_client, five):
    other = make_cohort(number=4, phase=Phase.SHORTLISTING)
    stranger = EnrolmentFactory(cohort=other)

    assert lead_client.post(f"{PAGE}{stranger.pk}/select/").status_code == 404


def test_undo_is_refused_once_judging_starts(lead_client, lead, cohort, five):
    shortlisting.select_finalist(enrolment=five["Severn"], actor=lead)

    for phase in (Phase.JUDGING, Phase.RESULTS):
        to_phase(cohort, phase)
        with pytest.raises(ServiceError) as refused:
            shortlisting.unselect_finalist(enrolment=five["Severn"], actor=lead)
        assert refused.value.message == (
            f"Judging has started (cohort 3 is in {phase}): finalists can no longer be taken off the shortlist."
        )

    to_phase(cohort, Phase.JUDGING)
    posted = lead_client.post(f"{PAGE}{five['Severn'].pk}/unselect/", follow=True)

    assert [str(m) for m in posted.context["messages"]] == [
        "Judging has started (cohort 3 is in judging): finalists can no longer be taken off the shortlist."
    ]
    assert finalists(cohort) == ["Severn Water"]
    assert shortlist_actions() == [("shortlist.added", "Severn Water in cohort 3")]


def test_undo_is_refused_while_the_finalist_has_judges(lead, cohort, five):
    shortlisting.select_finalist(enrolment=five["Severn"], actor=lead)
    Assignment.objects.create(cohort=cohort, judge=make_judge(), enrolment=five["Severn"])

    with pytest.raises(ServiceError) as refused:
        shortlisting.unselect_finalist(enrolment=five["Severn"], actor=lead)

    assert refused.value.message == (
        "Severn Water already has judges assigned: remove those assignments first, "
        "so that no judge is left with an organisation that is not a finalist."
    )
    assert finalists(cohort) == ["Severn Water"]


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        (
            Phase.SELF_ASSESSMENT,
            "Cohort 3 is in self-assessment: finalists are chosen in the shortlisting phase, "
            "once the self-assessment deadline has passed.",
        ),
        (Phase.JUDGING, "Judging has started (cohort 3 is in judging): the shortlist is fixed."),
    ],
)
def test_the_shortlist_changes_only_in_the_shortlisting_phase(lead_client, lead, cohort, five, phase, message):
    to_phase(cohort, phase)

    for change in (
        lambda: shortlisting.select_finalist(enrolment=five["Severn"], actor=lead),
        lambda: shortlisting.select_top(cohort=cohort, n=2, actor=lead),
        lambda: shortlisting.announce_shortlist(cohort=cohort, actor=lead),
    ):
        with pytest.raises(ServiceError) as refused:
            change()
        assert refused.value.message == message

    posts = [
        lead_client.post(f"{PAGE}{five['Severn'].pk}/select/", follow=True),
        lead_client.post(f"{PAGE}top/", {"n": "2"}, follow=True),
        lead_client.post(f"{PAGE}announce/", follow=True),
    ]

    assert [[str(m) for m in p.context["messages"]] for p in posts] == [[message]] * 3
    assert finalists(cohort) == []
    assert (shortlist_actions(), len(mail.outbox)) == ([], 0)


def test_the_page_is_read_only_outside_the_shortlisting_phase(lead_client, lead, cohort, five):
    shortlisting.select_top(cohort=cohort, n=2, actor=lead)
    to_phase(cohort, Phase.JUDGING)

    response = lead_client.get(PAGE)

    html = response.content.decode()
    assert response.context["editable"] is False
    assert "Judging has started (cohort 3 is in judging): the shortlist is fixed. This page is read-only" in html
    assert "/select/" not in html
    assert "/unselect/" not in html
    assert "/shortlist/top/" not in html
    assert "/shortlist/announce/" not in html
    assert "2 finalists</strong> of 5 organisations" in html


# The top N ---------------------------------------------------------------------


def test_select_the_top_two(lead, cohort, five):
    selection = shortlisting.select_top(cohort=cohort, n=2, actor=lead)

    assert finalists(cohort) == ["Anglian Water", "Severn Water"]
    assert selection.message == "The shortlist is now the top 2. 2 added, 0 taken off."
    assert shortlist_actions() == [
        ("shortlist.added", "Severn Water in cohort 3"),
        ("shortlist.added", "Anglian Water in cohort 3"),
    ]


def test_a_tie_at_the_cut_off_includes_every_tied_organisation(lead_client, cohort, five):
    response = lead_client.post(f"{PAGE}top/", {"n": "3"}, follow=True)

    assert finalists(cohort) == ["Anglian Water", "Dee Water", "Severn Water", "Wessex Water"]
    assert [str(m) for m in response.context["messages"]] == [
        "The shortlist now has the top 3 and 1 more: 4 finalists, because Dee Water and Wessex Water are tied "
        "at the cut-off with an index of 53.8. 4 added, 0 taken off."
    ]


def test_the_top_n_replaces_the_earlier_shortlist(lead, cohort, five):
    shortlisting.select_finalist(enrolment=five["Cam"], actor=lead)
    shortlisting.select_finalist(enrolment=five["Severn"], actor=lead)

    selection = shortlisting.select_top(cohort=cohort, n=2, actor=lead)
    again = shortlisting.select_top(cohort=cohort, n=2, actor=lead)

    assert finalists(cohort) == ["Anglian Water", "Severn Water"]
    assert selection.message == "The shortlist is now the top 2. 1 added, 1 taken off."
    assert again.message == "The shortlist is now the top 2. Nothing changed."
    assert shortlist_actions()[2:] == [
        ("shortlist.removed", "Cam Water in cohort 3"),
        ("shortlist.added", "Anglian Water in cohort 3"),
    ]


def test_a_top_n_beyond_the_submissions_selects_them_all(lead, cohort, five):
    selection = shortlisting.select_top(cohort=cohort, n=9, actor=lead)

    assert finalists(cohort) == ["Anglian Water", "Cam Water", "Dee Water", "Severn Water", "Wessex Water"]
    assert selection.message == "Only 5 organisations submitted: all of them are finalists. 5 added, 0 taken off."


def test_the_top_n_keeps_finalists_that_have_judges(lead, cohort, five):
    shortlisting.select_finalist(enrolment=five["Cam"], actor=lead)
    Assignment.objects.create(cohort=cohort, judge=make_judge(), enrolment=five["Cam"])

    with pytest.raises(ServiceError, match=r"^Cam Water already has judges assigned"):
        shortlisting.select_top(cohort=cohort, n=2, actor=lead)

    assert finalists(cohort) == ["Cam Water"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Enter a whole number of at least 1."),
        ("-3", "Enter a whole number of at least 1."),
        ("2.5", "Enter a whole number, such as 8."),
        ("three", "Enter a whole number, such as 8."),
        ("", "Enter how many finalists you want, such as 8."),
    ],
)
def test_a_bad_top_n_is_refused(lead_client, cohort, five, value, message):
    response = lead_client.post(f"{PAGE}top/", {"n": value}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [message]
    assert (finalists(cohort), shortlist_actions()) == ([], [])


def test_the_top_n_needs_submissions(lead):
    empty = make_cohort(number=3, phase=Phase.SHORTLISTING)

    with pytest.raises(ServiceError, match=r"^No organisation has submitted its self-assessment"):
        shortlisting.select_top(cohort=empty, n=3, actor=lead)
    with pytest.raises(ServiceError, match=r"^Choose how many finalists you want"):
        shortlisting.select_top(cohort=empty, n=0, actor=lead)


# The announcement ----------------------------------------------------------------


def sent() -> list[tuple[str, str]]:
    assert all(message.subject.startswith("[P&Q portal] ") for message in mail.outbox)
    return sorted((message.to[0], message.subject.removeprefix("[P&Q portal] ")) for message in mail.outbox)


def test_announcing_tells_finalists_and_the_others(lead_client, lead, cohort, five, django_capture_on_commit_callbacks):
    Membership.objects.filter(user__email="sue@severn.example").update(ended_at=timezone.now())
    shortlisting.select_top(cohort=cohort, n=2, actor=lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"{PAGE}announce/", follow=True)

    finalist = "is a finalist in cohort 3 of the P&Q programme"
    thanks = "The cohort 3 shortlist: thank you from the P&Q programme"
    assert sent() == [
        ("ann@anglian.example", f"Anglian Water {finalist}"),
        ("cam@cam.example", thanks),
        ("dee@dee.example", thanks),
        ("sam@severn.example", f"Severn Water {finalist}"),
        ("wes@wessex.example", thanks),
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "The shortlist was announced: 5 e-mails to the members of 2 finalists and 3 other organisations."
    ]
    to_sam = next(m for m in mail.outbox if m.to == ["sam@severn.example"])
    assert "Congratulations! Severn Water is one of the 2 finalists of cohort 3" in to_sam.body
    assert "Judging and on-site presentations: 15 June 2027." in to_sam.body
    assert "The judges finish scoring by 23:59 on 15 June 2027 (Europe/London)." in to_sam.body
    assert "award ceremony on 15 July 2027" in to_sam.body
    to_cam = next(m for m in mail.outbox if m.to == ["cam@cam.example"])
    assert "Cam Water has not been shortlisted this time" in to_cam.body
    assert 'Your outcome for the cohort will be recorded as "not shortlisted".' in to_cam.body

    record = AuditEvent.objects.get(action="shortlist.announced")
    assert (record.actor, record.object_id, record.before, record.after) == (
        lead,
        str(cohort.pk),
        None,
        {
            "finalists": ["Anglian Water", "Severn Water"],
            "not_shortlisted": ["Cam Water", "Dee Water", "Wessex Water"],
            "emails": 5,
        },
    )


def test_a_second_announcement_needs_a_change_and_tells_only_whose_news_changed(
    lead_client, lead, cohort, five, django_capture_on_commit_callbacks
):
    shortlisting.select_top(cohort=cohort, n=2, actor=lead)
    with django_capture_on_commit_callbacks(execute=True):
        shortlisting.announce_shortlist(cohort=cohort, actor=lead)
    first_day = AuditEvent.objects.get(action="shortlist.announced").created_at

    with pytest.raises(ServiceError) as refused:
        shortlisting.announce_shortlist(cohort=cohort, actor=lead)
    assert refused.value.message == (
        f"The shortlist was announced on {first_day:%-d %B %Y} and has not changed since: "
        "everyone already knows their news."
    )

    # Taking a finalist off and putting it back is no change either.
    shortlisting.unselect_finalist(enrolment=five["Anglian"], actor=lead)
    shortlisting.select_finalist(enrolment=five["Anglian"], actor=lead)
    with pytest.raises(ServiceError, match="has not changed since"):
        shortlisting.announce_shortlist(cohort=cohort, actor=lead)

    shortlisting.unselect_finalist(enrolment=five["Anglian"], actor=lead)
    shortlisting.select_finalist(enrolment=five["Dee"], actor=lead)
    page = lead_client.get(PAGE).content.decode()
    assert (
        "Told the opposite before, so their e-mail says that it corrects the earlier one: Dee Water, Anglian Water."
        in page
    )
    assert "Announce the changes</button>" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        announcement = shortlisting.announce_shortlist(cohort=cohort, actor=lead)

    assert sent() == [
        ("ann@anglian.example", "Correction: The cohort 3 shortlist: thank you from the P&Q programme"),
        ("dee@dee.example", "Correction: Dee Water is a finalist in cohort 3 of the P&Q programme"),
    ]
    assert announcement.emails == 2
    to_ann = mail.outbox[[m.to for m in mail.outbox].index(["ann@anglian.example"])]
    assert to_ann.body.startswith(
        "Hello,\n\nWe are sorry: our earlier e-mail told you that Anglian Water was a finalist, "
        "and the shortlist has changed since."
    )
    second = AuditEvent.objects.filter(action="shortlist.announced").first()
    assert (second.before, second.after) == (
        {"finalists": ["Anglian Water", "Severn Water"], "not_shortlisted": ["Cam Water", "Dee Water", "Wessex Water"]},
        {
            "finalists": ["Dee Water", "Severn Water"],
            "not_shortlisted": ["Anglian Water", "Cam Water", "Wessex Water"],
            "emails": 2,
        },
    )


def test_announcing_needs_a_finalist(lead, cohort, five):
    with pytest.raises(ServiceError) as refused:
        shortlisting.announce_shortlist(cohort=cohort, actor=lead)

    assert refused.value.message == "Select at least one finalist before announcing the shortlist."
    assert (AuditEvent.objects.filter(action="shortlist.announced").count(), len(mail.outbox)) == (0, 0)


def test_the_page_says_what_the_announcement_will_send(lead_client, lead, cohort, five):
    shortlisting.select_top(cohort=cohort, n=2, actor=lead)
    EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Quiet Water"), status="submitted")

    response = lead_client.get(PAGE)

    plan = response.context["plan"]
    assert [e.organisation.name for e in plan.tell_finalists] == ["Anglian Water", "Severn Water"]
    assert [e.organisation.name for e in plan.tell_not_shortlisted] == [
        "Cam Water",
        "Dee Water",
        "Quiet Water",
        "Wessex Water",
    ]
    html = response.content.decode()
    assert "to 3 people at 2 finalists</li>" in html
    assert "to 3 people at 4 other organisations that submitted</li>" in html
    assert "Nobody can be told at Quiet Water: it has no members in the portal." in html
    assert "Announce the shortlist</button>" in html


# Empty states, permissions, queries ----------------------------------------------


def test_empty_states(lead_client, cohort):
    nobody = lead_client.get(PAGE).content.decode()
    drafted(cohort, "Draft Water")
    to_phase(cohort, Phase.SHORTLISTING)
    nothing_submitted = lead_client.get(PAGE).content.decode()

    assert "No organisation is enrolled in this cohort yet." in nobody
    assert (
        "No organisation has submitted its self-assessment yet, so there is no one to shortlist." in nothing_submitted
    )
    assert "Select the top N" not in nothing_submitted


@pytest.mark.parametrize(
    "path",
    ["", "top/", "announce/", "{pk}/select/", "{pk}/unselect/"],
    ids=["page", "top", "announce", "select", "unselect"],
)
def test_only_the_lead_may_shortlist(client, cohort, five, path):
    url = PAGE + path.format(pk=five["Severn"].pk)
    member = Membership.objects.get(user__email="sam@severn.example").user

    for user in (member, make_judge()):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"n": "2"}).status_code == 403
    client.logout()
    assert client.post(url, {"n": "2"}).status_code == 302
    assert (finalists(cohort), shortlist_actions(), len(mail.outbox)) == ([], [], 0)


@pytest.mark.parametrize("organisations", [3, 40])
def test_the_page_queries_do_not_grow_with_the_organisations(
    lead_client, cohort, django_assert_max_num_queries, organisations
):
    for n in range(organisations):
        enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=f"Water {n:02d}"))
        make_member(organisation=enrolment.organisation)
        assessment = self_assessment.ensure_assessment(enrolment=enrolment)
        Response.objects.filter(assessment=assessment).update(level=1 + n % 5, narrative="Evidence.")
    SelfAssessment.objects.filter(enrolment__cohort=cohort).update(status="submitted", submitted_at=WHILE_OPEN)
    cohort.enrolments.update(status=EnrolmentStatus.SUBMITTED)
    cohort.enrolments.filter(organisation__name__in=["Water 00", "Water 01"]).update(status=EnrolmentStatus.FINALIST)
    drafted(cohort, "Draft Water")
    to_phase(cohort, Phase.SHORTLISTING)

    with django_assert_max_num_queries(15):
        response = lead_client.get(PAGE)

    assert len(response.context["rows"]) == organisations
    assert response.context["finalist_count"] == 2
    assert response.context["plan"].finalist_people == 2
