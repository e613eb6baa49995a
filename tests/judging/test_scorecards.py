from datetime import date

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from assessments.services import self_assessment
from cohorts.models import EnrolmentStatus, Phase
from core.errors import ServiceError
from core.models import AuditEvent
from judging.models import Assignment, CohortJudge, ConflictDeclaration, Scorecard, ScoreEntry
from judging.services import scorecards as services
from organisations.models import Membership
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    EnrolmentFactory,
    OrganisationFactory,
    make_cohort,
    make_judge,
    make_lead,
)

pytestmark = pytest.mark.django_db

CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "P6"]  # P6 is judging-only


def submitted_finalist(cohort, name):
    """An organisation whose self-assessment is submitted (every level 3),
    made a finalist; the cohort is back in its phase afterwards."""
    phase = cohort.phase
    to_phase(cohort, Phase.SELF_ASSESSMENT)
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name))
    assessment = self_assessment.ensure_assessment(enrolment=enrolment)
    for response in assessment.responses.all():
        self_assessment.save_answer(response=response, field="level", value="3", base="", actor=None)
        self_assessment.save_answer(
            response=response, field="narrative", value=f"{name} on {response.criterion.code}.", base="", actor=None
        )
    self_assessment.submit(assessment=assessment, actor=None)
    enrolment.status = EnrolmentStatus.FINALIST
    enrolment.save(update_fields=["status"])
    to_phase(cohort, phase)
    return enrolment


def seat(cohort, judge):
    return CohortJudge.objects.create(cohort=cohort, judge=judge)


def assign(judge, enrolment) -> Assignment:
    assignment = Assignment.objects.create(cohort=enrolment.cohort, judge=judge, enrolment=enrolment)
    services.ensure_scorecard(assignment=assignment)
    return assignment


def to_phase(cohort, phase):
    cohort.phase = phase
    cohort.save(update_fields=["phase"])


@pytest.fixture
def setting(db):
    """Cohort 4 in judging: Severn Water is a finalist judged by Jo and by
    Zed; Jo is on the panel with Zed."""
    cohort = make_cohort(number=4, phase=Phase.JUDGING, start_date=date.today().replace(day=1))
    severn = submitted_finalist(cohort, "Severn Water")
    jo = make_judge(email="jo@judges.example", full_name="Jo Marsh")
    zed = make_judge(email="zed@judges.example", full_name="Zed Quill")
    for judge in (jo, zed):
        seat(cohort, judge)
    mine, theirs = assign(jo, severn), assign(zed, severn)
    return {"cohort": cohort, "severn": severn, "jo": jo, "zed": zed, "assignment": mine, "theirs": theirs}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save(client, assignment, code, field, value, base="", **extra):
    return client.post(
        f"/judging/{assignment.pk}/save/",
        {"code": code, "field": field, field: value, f"base_{field}": base, **extra},
        HTTP_HX_REQUEST="true",
    )


def entry(assignment, code) -> ScoreEntry:
    return ScoreEntry.objects.get(scorecard__assignment=assignment, criterion__code=code)


def score_all(assignment, judge, score=7):
    for item in assignment.scorecard.entries.all():
        services.save_score(entry=item, field="score", value=str(score), base="", actor=judge)


def test_scorecard_has_an_entry_per_criterion_judging_only_included(setting):
    codes = list(setting["assignment"].scorecard.entries.values_list("criterion__code", flat=True))

    assert codes == CODES
    services.ensure_scorecard(assignment=setting["assignment"])  # idempotent
    assert setting["assignment"].scorecard.entries.count() == 11


def test_scorecard_page_shows_the_submitted_self_assessment_and_the_rubric(setting):
    page = client_for(setting["jo"]).get(f"/judging/{setting['assignment'].pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Severn Water on Q1." in html
    assert [row.criterion.code for row in page.context["rows"]] == CODES
    assert [row.answer is None for row in page.context["rows"]] == [False] * 10 + [True]
    assert html.count('type="radio" name="score"') == 11 * 11
    assert html.count("Their level") == 10
    assert page.context["can_edit"] is True


# Autosave ------------------------------------------------------------------


def test_autosave_saves_a_score_and_a_comment(setting):
    assignment, client = setting["assignment"], client_for(setting["jo"])

    score = save(client, assignment, "Q1", "score", "8")
    comment = save(client, assignment, "Q1", "comment", "Clear outside-in measures.")

    assert (score.status_code, comment.status_code) == (200, 200)
    html = score.content.decode()
    assert "Saved at" in html
    assert '<input type="hidden" id="base_score-Q1" name="base_score" value="8" hx-swap-oob="true">' in html
    assert "1 of 11 criteria" in html
    stored = entry(assignment, "Q1")
    assert (stored.score, stored.comment, stored.version) == (8, "Clear outside-in measures.", 2)


def test_autosave_saves_the_overall_strengths_and_areas_to_improve(setting):
    assignment, client = setting["assignment"], client_for(setting["jo"])

    strengths = save(client, assignment, "", "strengths", "Coaching culture.\r\nData.")
    improvements = save(client, assignment, "", "improvements", "Journey ownership.")

    assert (strengths.status_code, improvements.status_code) == (200, 200)
    scorecard = Scorecard.objects.get(pk=assignment.scorecard.pk)
    assert (scorecard.strengths, scorecard.improvements, scorecard.version) == (
        "Coaching culture.\nData.",
        "Journey ownership.",
        2,
    )


def test_an_empty_score_clears_it(setting):
    assignment, client = setting["assignment"], client_for(setting["jo"])
    save(client, assignment, "Q2", "score", "0")

    cleared = save(client, assignment, "Q2", "score", "", base="0")

    assert cleared.status_code == 200
    assert (entry(assignment, "Q2").score, entry(assignment, "Q2").version) == (None, 2)


def test_a_save_from_another_window_is_a_conflict_until_the_judge_keeps_their_version(setting):
    assignment = setting["assignment"]
    laptop, tablet = client_for(setting["jo"]), client_for(setting["jo"])
    save(laptop, assignment, "Q3", "comment", "Written on the laptop.")

    conflict = save(tablet, assignment, "Q3", "comment", "Written on the tablet.", base="")

    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Not saved: This was changed in another window or on another device at" in html
    assert "Written on the laptop." in html
    assert "Written on the tablet." in html
    assert entry(assignment, "Q3").comment == "Written on the laptop."

    kept = save(tablet, assignment, "Q3", "comment", "Written on the tablet.", base="", force="1")

    assert kept.status_code == 200
    assert entry(assignment, "Q3").comment == "Written on the tablet."


def test_a_repeat_of_the_conflict_on_the_page_leaves_the_page_alone(setting):
    """Moving from the comment to "Keep this page's version" saves on blur:
    the same conflict again must not replace the button being clicked."""
    assignment = setting["assignment"]
    laptop, tablet = client_for(setting["jo"]), client_for(setting["jo"])
    save(laptop, assignment, "Q3", "comment", "Written on the laptop.")
    shown = save(tablet, assignment, "Q3", "comment", "Written on the tablet.")
    token = shown.context["token"]

    repeat = save(tablet, assignment, "Q3", "comment", "Written on the tablet.", conflict_comment=token)
    changed = save(tablet, assignment, "Q3", "comment", "Written on the tablet, more.", conflict_comment=token)

    assert f'<input type="hidden" name="conflict_comment" value="{token}">' in shown.content.decode()
    assert (repeat.status_code, repeat["HX-Reswap"], repeat.content) == (409, "none", b"")
    assert changed.status_code == 409
    assert "Written on the tablet, more." in changed.content.decode()
    assert entry(assignment, "Q3").comment == "Written on the laptop."


def test_the_same_value_saved_twice_is_not_a_conflict(setting):
    assignment, client = setting["assignment"], client_for(setting["jo"])
    save(client, assignment, "Q4", "score", "6")

    again = save(client, assignment, "Q4", "score", "6", base="")

    assert again.status_code == 200
    assert (entry(assignment, "Q4").score, entry(assignment, "Q4").version) == (6, 1)


@pytest.mark.parametrize("value", ["11", "-1", "7.5", "seven", "1e1", "+5", "100"])
def test_a_score_that_is_not_a_whole_number_from_0_to_10_is_refused_and_nothing_is_saved(setting, value):
    assignment = setting["assignment"]

    answer = save(client_for(setting["jo"]), assignment, "Q1", "score", value)

    assert answer.status_code == 422
    assert answer.content.decode().strip() == (
        '<span class="text-danger" role="alert">'
        f"Not saved: A score is a whole number from 0 to 10; “{value}” is not.</span>"
    )
    stored = entry(assignment, "Q1")
    assert (stored.score, stored.version) == (None, 0)


def test_a_comment_over_10000_characters_is_refused(setting):
    assignment = setting["assignment"]

    answer = save(client_for(setting["jo"]), assignment, "Q1", "comment", "x" * 10_001)

    assert answer.status_code == 422
    assert (
        "Not saved: The comment can be at most 10,000 characters (this is 10,001). "
        "Nothing was lost: shorten it, and it will be saved."
    ) in answer.content.decode()
    assert entry(assignment, "Q1").comment == ""


def test_service_refuses_an_unknown_field(setting):
    with pytest.raises(ServiceError, match=r"^Unknown field\.$"):
        services.save_score(
            entry=entry(setting["assignment"], "Q1"), field="version", value="9", base="", actor=setting["jo"]
        )


def test_text_typed_after_the_session_expired_is_saved_after_logging_in_again(setting):
    assignment = setting["assignment"]
    client = Client()  # the session has expired: the browser is anonymous now

    answer = save(client, assignment, "Q5", "comment", "Typed while signed out.")
    save(client, assignment, "", "strengths", "Strong coaching.")

    assert answer.status_code == 401
    assert "What you typed is kept" in answer.content.decode()
    assert entry(assignment, "Q5").comment == ""

    login = client.post("/accounts/login/", {"login": "jo@judges.example", "password": PASSWORD})
    assert login.url == "/accounts/2fa/authenticate/"
    mfa = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert mfa.status_code == 302
    page = client.get(f"/judging/{assignment.pk}/")

    assert page.status_code == 200
    assert entry(assignment, "Q5").comment == "Typed while signed out."
    assert Scorecard.objects.get(pk=assignment.scorecard.pk).strengths == "Strong coaching."
    assert [str(m) for m in page.context["messages"]] == [
        "Q5: the comment you typed before your session ended is saved.",
        "Overall: the strengths you typed before your session ended is saved.",
    ]
    assert "Typed while signed out." in page.content.decode()


def test_text_kept_from_an_expired_session_is_not_saved_for_another_judge(setting):
    assignment = setting["assignment"]
    client = Client()
    save(client, assignment, "Q5", "comment", "Typed while signed out.")

    client.force_login(setting["zed"])
    page = client.get(f"/judging/{assignment.pk}/")

    assert page.status_code == 404
    assert entry(assignment, "Q5").comment == ""


def test_without_javascript_a_criterion_is_saved_with_the_form(setting):
    assignment = setting["assignment"]

    answer = client_for(setting["jo"]).post(
        f"/judging/{assignment.pk}/",
        {"code": "P2", "score": "5", "base_score": "", "comment": "Fair targets.", "base_comment": ""},
    )

    assert (answer.status_code, answer.url) == (302, f"/judging/{assignment.pk}/#criterion-P2")
    assert (entry(assignment, "P2").score, entry(assignment, "P2").comment) == (5, "Fair targets.")


# Submission, lock and unlocking ---------------------------------------------


def test_submit_is_refused_until_every_criterion_has_a_score(setting):
    assignment, jo = setting["assignment"], setting["jo"]
    for code in ("Q1", "Q2", "P1"):
        services.save_score(entry=entry(assignment, code), field="score", value="5", base="", actor=jo)

    with pytest.raises(ServiceError) as refusal:
        services.submit(scorecard=assignment.scorecard, actor=jo)

    assert refusal.value.message == (
        "Every criterion needs a score before you submit. Still to score: Q3, Q4, Q5, P2, P3, P4, P5, P6."
    )
    assert Scorecard.objects.get(pk=assignment.scorecard.pk).status == Scorecard.Status.DRAFT


def test_submit_through_the_page_with_a_criterion_missing_says_which(setting):
    assignment, jo = setting["assignment"], setting["jo"]
    score_all(assignment, jo)
    services.save_score(entry=entry(assignment, "P6"), field="score", value="", base="7", actor=jo)
    client = client_for(jo)

    answer = client.post(f"/judging/{assignment.pk}/submit/", follow=True)

    assert [str(m) for m in answer.context["messages"]] == [
        "Every criterion needs a score before you submit. Still to score: P6."
    ]
    assert [e.criterion.code for e in answer.context["missing"]] == ["P6"]


def test_submit_locks_the_scorecard_and_a_direct_post_changes_nothing(setting):
    assignment, jo = setting["assignment"], setting["jo"]
    score_all(assignment, jo, score=6)
    client = client_for(jo)

    submitted = client.post(f"/judging/{assignment.pk}/submit/")

    assert (submitted.status_code, submitted.url) == (302, "/judging/")
    scorecard = Scorecard.objects.get(pk=assignment.scorecard.pk)
    assert scorecard.status == Scorecard.Status.SUBMITTED
    event = AuditEvent.objects.get(action="scorecard.submitted")
    assert (event.actor, event.before, event.after) == (
        jo,
        {"status": "draft"},
        {"status": "submitted", "scores": dict.fromkeys(CODES, 6)},
    )

    autosave = save(client, assignment, "Q1", "score", "9", base="6")
    form = client.post(f"/judging/{assignment.pk}/", {"code": "Q1", "score": "9", "base_score": "6"})
    overall = save(client, assignment, "", "strengths", "Changed afterwards.")
    again = client.post(f"/judging/{assignment.pk}/submit/")

    assert autosave.status_code == 403
    assert "This scorecard was submitted on" in autosave.content.decode()
    assert (form.status_code, overall.status_code, again.status_code) == (302, 403, 302)
    assert set(ScoreEntry.objects.filter(scorecard=scorecard).values_list("score", flat=True)) == {6}
    assert Scorecard.objects.get(pk=scorecard.pk).strengths == ""
    assert AuditEvent.objects.filter(action="scorecard.submitted").count() == 1
    page = client.get(f"/judging/{assignment.pk}/")
    assert page.context["can_edit"] is False
    assert "hx-post" not in page.content.decode()


@pytest.mark.parametrize(
    ("next_url", "goes_to"),
    [
        ('"><img src=x onerror=alert(1)>', None),  # not a path: never reversed as a view name
        ("%3Cscript%3Ealert(1)%3C/script%3E", None),  # a relative address: not followed
        ("//evil.example/", None),
        ("/cohorts/3/judging/?judge=2", "/cohorts/3/judging/?judge=2"),
    ],
)
def test_unlocking_goes_back_only_to_a_path_on_this_site(setting, next_url, goes_to):
    assignment, jo = setting["assignment"], setting["jo"]
    score_all(assignment, jo)
    services.submit(scorecard=assignment.scorecard, actor=jo)
    client = client_for(make_lead(email="lead@example.org"))
    url = f"/judging/{assignment.pk}/unlock/"

    answer = client.post(url, {"reason": "Mis-keyed.", "next": next_url})

    assert (answer.status_code, answer["Location"]) == (302, goes_to or url)


def test_lead_unlocks_a_submitted_scorecard_with_a_reason_and_the_judge_is_told(
    setting, django_capture_on_commit_callbacks
):
    assignment, jo = setting["assignment"], setting["jo"]
    score_all(assignment, jo)
    services.submit(scorecard=assignment.scorecard, actor=jo)
    lead = make_lead(email="lead@example.org")
    client = client_for(lead)
    mail.outbox.clear()

    page = client.get(f"/judging/{assignment.pk}/unlock/")
    no_reason = client.post(f"/judging/{assignment.pk}/unlock/", {"reason": "  "}, follow=True)

    assert page.status_code == 200
    assert [str(m) for m in no_reason.context["messages"]] == [
        "Give a reason for unlocking the scorecard: the judge is told."
    ]
    assert Scorecard.objects.get(pk=assignment.scorecard.pk).status == Scorecard.Status.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        unlocked = client.post(
            f"/judging/{assignment.pk}/unlock/", {"reason": "P6 was scored before the presentation.", "next": "/lead/"}
        )

    assert (unlocked.status_code, unlocked.url) == (302, "/lead/")
    scorecard = Scorecard.objects.get(pk=assignment.scorecard.pk)
    assert (scorecard.status, scorecard.submitted_at) == (Scorecard.Status.DRAFT, None)
    history = client.get(f"/judging/{assignment.pk}/unlock/").content.decode().split("History of this scorecard")[1]
    assert "unlocked" in history and "Reason: P6 was scored before the presentation." in history
    event = AuditEvent.objects.get(action="scorecard.unlocked")
    assert (event.actor, event.note, event.after) == (
        lead,
        "P6 was scored before the presentation.",
        {"status": "draft"},
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["jo@judges.example"], "[P&Q portal] Your scorecard for Severn Water (cohort 4) is open for changes again")
    ]
    assert "Reason: P6 was scored before the presentation." in mail.outbox[0].body
    assert f"/judging/{assignment.pk}/" in mail.outbox[0].body
    assert save(client_for(jo), assignment, "P6", "score", "9", base="7").status_code == 200


def test_unlocking_a_draft_is_refused(setting):
    lead = make_lead(email="lead@example.org")

    with pytest.raises(ServiceError, match=r"^This scorecard is not submitted, so there is nothing to unlock\.$"):
        services.unlock(scorecard=setting["assignment"].scorecard, actor=lead, reason="Why not.")


def test_only_the_lead_may_unlock(setting):
    assignment, jo = setting["assignment"], setting["jo"]
    score_all(assignment, jo)
    services.submit(scorecard=assignment.scorecard, actor=jo)

    by_judge = client_for(jo).post(f"/judging/{assignment.pk}/unlock/", {"reason": "Let me change it."})
    anonymous = Client().post(f"/judging/{assignment.pk}/unlock/", {"reason": "Let me change it."})

    assert by_judge.status_code == 404
    assert anonymous.status_code == 302
    assert Scorecard.objects.get(pk=assignment.scorecard.pk).status == Scorecard.Status.SUBMITTED


def test_no_edits_when_the_cohort_is_not_in_judging(setting):
    assignment = setting["assignment"]
    to_phase(setting["cohort"], Phase.RESULTS)

    answer = save(client_for(setting["jo"]), assignment, "Q1", "score", "5")

    assert answer.status_code == 403
    assert "Cohort 4 is not in its judging phase, so scorecards cannot be changed." in answer.content.decode()
    assert entry(assignment, "Q1").score is None
    assert client_for(setting["jo"]).get("/judging/").context["groups"] == []


# Who may open a scorecard ----------------------------------------------------


def judge_pages(assignment):
    pk = assignment.pk
    return [f"/judging/{pk}/", f"/judging/{pk}/review/"]


def assert_no_access(user, assignment):
    client = client_for(user)
    for url in judge_pages(assignment):
        assert client.get(url).status_code == 404, url
    assert save(client, assignment, "Q1", "score", "3").status_code == 404
    assert client.post(f"/judging/{assignment.pk}/submit/").status_code == 404
    assert entry(assignment, "Q1").score is None


def test_the_assigned_judge_opens_their_pages(setting):
    client = client_for(setting["jo"])

    assert [client.get(url).status_code for url in judge_pages(setting["assignment"])] == [200, 200]


def test_a_judge_not_assigned_to_the_finalist_gets_404(setting):
    cohort = setting["cohort"]
    stranger = make_judge(email="stranger@judges.example")
    seat(cohort, stranger)

    assert_no_access(stranger, setting["assignment"])
    assert_no_access(setting["zed"], setting["assignment"])  # Zed judges Severn, but this is Jo's scorecard


def test_a_judge_who_declared_a_conflict_gets_404(setting):
    ConflictDeclaration.objects.create(
        cohort=setting["cohort"],
        judge=setting["jo"],
        organisation=setting["severn"].organisation,
        relationship="client",
    )

    assert_no_access(setting["jo"], setting["assignment"])
    assert client_for(setting["jo"]).get("/judging/").context["groups"] == []


def test_a_judge_who_is_a_member_of_the_finalist_gets_404(setting):
    Membership.objects.create(user=setting["jo"], organisation=setting["severn"].organisation)

    assert_no_access(setting["jo"], setting["assignment"])
    assert client_for(setting["jo"]).get("/judging/").context["groups"] == []


def test_a_judge_removed_from_the_panel_gets_404(setting):
    CohortJudge.objects.filter(cohort=setting["cohort"], judge=setting["jo"]).update(removed_at=timezone.now())

    assert_no_access(setting["jo"], setting["assignment"])
    assert client_for(setting["jo"]).get("/judging/").context["groups"] == []


def test_a_removed_assignment_gets_404(setting):
    Assignment.objects.filter(pk=setting["assignment"].pk).update(removed_at=timezone.now())

    assert_no_access(setting["jo"], setting["assignment"])


def test_a_removed_judge_cannot_save_through_the_service_either(setting):
    CohortJudge.objects.filter(cohort=setting["cohort"], judge=setting["jo"]).update(removed_at=timezone.now())

    with pytest.raises(
        ServiceError, match=r"^You no longer judge this finalist, so this scorecard cannot be changed\.$"
    ):
        services.save_score(
            entry=entry(setting["assignment"], "Q1"), field="score", value="5", base="", actor=setting["jo"]
        )


def test_other_judges_names_and_scores_never_appear(setting):
    theirs, zed = setting["theirs"], setting["zed"]
    for item in theirs.scorecard.entries.all():
        services.save_score(entry=item, field="score", value="9", base="", actor=zed)
        services.save_score(entry=item, field="comment", value="ZED-ONLY-REMARK", base="", actor=zed)
    services.save_overall(scorecard=theirs.scorecard, field="strengths", value="ZED-STRENGTHS", base="", actor=zed)
    services.submit(scorecard=theirs.scorecard, actor=zed)
    client, assignment = client_for(setting["jo"]), setting["assignment"]

    pages = [client.get(url).content.decode() for url in [*judge_pages(assignment), "/judging/"]]

    for html in pages:
        # Jo has scored nothing: a checked radio button could only be someone else's score.
        for secret in ("Zed", "Quill", "zed@judges.example", "ZED-ONLY-REMARK", "ZED-STRENGTHS", " checked>"):
            assert secret not in html
        assert "9</strong> / 10" not in html


# The judge's list -------------------------------------------------------------


def test_the_list_shows_each_finalist_with_progress_state_and_deadline(setting):
    cohort, jo = setting["cohort"], setting["jo"]
    thames = assign(jo, submitted_finalist(cohort, "Thames Water"))
    wye = assign(jo, submitted_finalist(cohort, "Wye Water"))
    score_all(wye, jo)
    services.submit(scorecard=wye.scorecard, actor=jo)
    services.save_score(entry=entry(thames, "Q1"), field="score", value="4", base="", actor=jo)
    other = make_cohort(number=5, phase=Phase.SELF_ASSESSMENT, start_date=date.today().replace(day=1))
    seat(other, jo)
    assign(jo, EnrolmentFactory(cohort=other, status=EnrolmentStatus.FINALIST))  # cohort 5 is not judging yet

    page = client_for(jo).get("/judging/")

    [group] = page.context["groups"]
    rows = [
        (
            r["assignment"].enrolment.organisation.name,
            r["assignment"].scores_given,
            r["assignment"].criteria_total,
            r["status"],
        )
        for r in group["rows"]
    ]
    assert rows == [
        ("Severn Water", 0, 11, "draft"),
        ("Thames Water", 1, 11, "draft"),
        ("Wye Water", 11, 11, "submitted"),
    ]
    assert (group["cohort"], group["submitted"], group["deadline"]) == (cohort, 1, cohort.judging_deadline)
    html = page.content.decode()
    assert "Judging deadline: <strong>" in html
    assert "1 of 3 submitted" in html


def test_the_list_is_only_for_judges(member, client):
    client.force_login(member)

    assert client.get("/judging/").status_code == 403


@pytest.mark.parametrize("finalists", [3, 40])
def test_the_judges_list_queries_do_not_grow(django_assert_max_num_queries, finalists):
    cohort = make_cohort(number=4, phase=Phase.JUDGING)
    jo = make_judge(email="jo@judges.example")
    seat(cohort, jo)
    for n in range(finalists):
        enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.FINALIST)
        assignment = assign(jo, enrolment)
        if n % 2:
            services.save_score(entry=entry(assignment, "Q1"), field="score", value="5", base="", actor=jo)
    ConflictDeclaration.objects.create(
        cohort=cohort, judge=jo, organisation=EnrolmentFactory(cohort=cohort).organisation, relationship="supplier"
    )
    client = client_for(jo)

    with django_assert_max_num_queries(11):  # 10, and the unread-notifications badge
        page = client.get("/judging/")

    [group] = page.context["groups"]
    given = [r["assignment"].scores_given for r in group["rows"]]
    assert (len(given), sum(given)) == (finalists, finalists // 2)
