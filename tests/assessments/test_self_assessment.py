from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client

from assessments.models import Response, SelfAssessment
from assessments.services import self_assessment as services
from cohorts.models import Enrolment, Phase
from cohorts.services.programme import grant_extension
from core.errors import ServiceError
from core.models import AuditEvent
from organisations.models import Membership
from tests.factories import PASSWORD, EnrolmentFactory, UserFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

Q_CODES = ["Q1", "Q2", "Q3", "Q4", "Q5"]


@pytest.fixture
def setting(db):
    """Cohort 3 in self-assessment with one organisation and two members."""
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT, start_date=date.today().replace(day=1))
    amy = make_member(email="amy@severn.example", full_name="Amy Ash")
    organisation = amy.memberships.get().organisation
    ben = UserFactory(email="ben@severn.example", full_name="Ben Birch")
    Membership.objects.create(user=ben, organisation=organisation)
    enrolment = EnrolmentFactory(cohort=cohort, organisation=organisation)
    assessment = services.ensure_assessment(enrolment=enrolment)
    return {"cohort": cohort, "amy": amy, "ben": ben, "enrolment": enrolment, "assessment": assessment}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save(client, assessment, code, field, value, base="", **extra):
    return client.post(
        f"/assessments/{assessment.pk}/criteria/{code}/save/",
        {"field": field, field: value, f"base_{field}": base, **extra},
        HTTP_HX_REQUEST="true",
    )


def response_for(assessment, code) -> Response:
    return Response.objects.get(assessment=assessment, criterion__code=code)


def complete_all(assessment, actor):
    for response in assessment.responses.all():
        services.save_answer(response=response, field="level", value="3", base="", actor=actor)
        services.save_answer(response=response, field="narrative", value="We do this well.", base="", actor=actor)


def test_assessment_has_an_answer_per_criterion_that_is_not_judging_only(setting):
    codes = sorted(setting["assessment"].responses.values_list("criterion__code", flat=True))

    assert codes == ["P1", "P2", "P3", "P4", "P5", "Q1", "Q2", "Q3", "Q4", "Q5"]
    services.ensure_assessment(enrolment=setting["enrolment"])  # idempotent
    assert setting["assessment"].responses.count() == 10


def test_member_starts_from_the_dashboard_link(setting):
    client = client_for(setting["amy"])

    response = client.get(f"/assessments/start/{setting['enrolment'].pk}/")

    assert (response.status_code, response.url) == (302, f"/assessments/{setting['assessment'].pk}/")


# Autosave ------------------------------------------------------------------


def test_autosave_saves_each_field_and_answers_saved(setting):
    assessment, client = setting["assessment"], client_for(setting["amy"])

    level = save(client, assessment, "Q1", "level", "4")
    narrative = save(client, assessment, "Q1", "narrative", "Our NPS programme covers all channels.")

    assert (level.status_code, narrative.status_code) == (200, 200)
    assert "Saved at" in narrative.content.decode()
    assert 'id="base_narrative"' in narrative.content.decode()
    answer = response_for(assessment, "Q1")
    assert (answer.level, answer.narrative, answer.version, answer.updated_by) == (
        4,
        "Our NPS programme covers all channels.",
        2,
        setting["amy"],
    )


def test_kpi_values_are_saved_as_numbers(setting):
    assessment, client = setting["assessment"], client_for(setting["amy"])
    answer = response_for(assessment, "Q3")
    kpi = answer.criterion.kpis.first()

    ok = save(client, assessment, "Q3", f"kpi_{kpi.pk}", "1,250.50")
    bad = save(client, assessment, "Q3", f"kpi_{kpi.pk}", "lots", base="1250.5")

    assert ok.status_code == 200
    assert services.field_value(Response.objects.get(pk=answer.pk), f"kpi_{kpi.pk}") == "1250.5"
    assert bad.status_code == 422
    assert "“lots” is not a number." in bad.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("level", "7", "Choose a maturity level from 1 to 5."),
        ("level", "three", "Choose a maturity level from 1 to 5."),
        ("narrative", "x" * 20_001, "The evidence narrative can be at most 20,000 characters"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(setting, field, value, message):
    assessment = setting["assessment"]

    answer = save(client_for(setting["amy"]), assessment, "Q1", field, value)

    assert answer.status_code == 422
    assert message in answer.content.decode()
    stored = response_for(assessment, "Q1")
    assert (stored.level, stored.narrative, stored.version) == (None, "", 0)


def test_second_colleague_is_told_of_the_conflict_and_shown_both_versions(setting):
    assessment = setting["assessment"]
    amy, ben = client_for(setting["amy"]), client_for(setting["ben"])

    save(amy, assessment, "Q2", "narrative", "Amy's account of our channels.")
    conflict = save(ben, assessment, "Q2", "narrative", "Ben's account.", base="")

    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "Amy Ash changed this at" in page
    assert "Amy&#x27;s account of our channels." in page
    assert "Ben&#x27;s account." in page
    assert response_for(assessment, "Q2").narrative == "Amy's account of our channels."

    kept = save(ben, assessment, "Q2", "narrative", "Ben's account.", base="", force="1")

    assert kept.status_code == 200
    assert response_for(assessment, "Q2").narrative == "Ben's account."


def test_colleagues_editing_different_fields_do_not_conflict(setting):
    assessment = setting["assessment"]

    save(client_for(setting["amy"]), assessment, "Q2", "level", "3")
    narrative = save(client_for(setting["ben"]), assessment, "Q2", "narrative", "Ben's text", base="")

    assert narrative.status_code == 200
    stored = response_for(assessment, "Q2")
    assert (stored.level, stored.narrative) == (3, "Ben's text")


def test_text_typed_after_the_session_expired_is_saved_after_logging_in_again(setting):
    assessment = setting["assessment"]
    client = Client()  # the session has expired: the browser is anonymous now

    answer = save(client, assessment, "Q4", "narrative", "Typed while signed out.")

    assert answer.status_code == 401
    assert "What you typed is kept" in answer.content.decode()
    assert response_for(assessment, "Q4").narrative == ""

    login = client.post("/accounts/login/", {"login": "amy@severn.example", "password": PASSWORD})
    assert login.status_code == 302
    page = client.get(f"/assessments/{assessment.pk}/criteria/Q4/")

    assert page.status_code == 200
    assert response_for(assessment, "Q4").narrative == "Typed while signed out."
    assert [str(m) for m in page.context["messages"]] == [
        "Q4: the evidence narrative you typed before your session ended is saved."
    ]


def test_text_kept_from_an_expired_session_is_not_saved_for_someone_else(setting):
    assessment = setting["assessment"]
    client = Client()
    save(client, assessment, "Q4", "narrative", "Typed while signed out.")
    stranger = make_member(email="stranger@elsewhere.example")

    client.post("/accounts/login/", {"login": stranger.email, "password": PASSWORD})
    page = client.get(f"/assessments/{assessment.pk}/criteria/Q4/")

    assert page.status_code == 404
    assert response_for(assessment, "Q4").narrative == ""


# Submission, lock and reopening ---------------------------------------------


def test_submit_is_refused_until_every_criterion_has_a_level_and_a_narrative(setting):
    assessment = setting["assessment"]
    services.save_answer(response=response_for(assessment, "Q1"), field="level", value="3", base="", actor=None)

    with pytest.raises(ServiceError) as refusal:
        services.submit(assessment=assessment, actor=setting["amy"])

    assert refusal.value.message == (
        "Every criterion needs a maturity level and an evidence narrative before you submit. "
        "Still to do: Q1, Q2, Q3, Q4, Q5, P1, P2, P3, P4, P5."
    )
    assert SelfAssessment.objects.get(pk=assessment.pk).status == "draft"


def test_submit_locks_the_assessment_and_sends_a_receipt_to_every_member(setting, django_capture_on_commit_callbacks):
    assessment = setting["assessment"]
    complete_all(assessment, setting["amy"])
    client = client_for(setting["amy"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessments/{assessment.pk}/submit/")

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_by) == ("submitted", setting["amy"])
    assert Enrolment.objects.get(pk=setting["enrolment"].pk).status == "submitted"
    assert sorted(m.to[0] for m in mail.outbox) == ["amy@severn.example", "ben@severn.example"]
    assert mail.outbox[0].subject.startswith("[P&Q portal] Receipt: ")
    assert AuditEvent.objects.filter(action="assessment.submitted", actor=setting["amy"]).count() == 1


def test_a_submitted_assessment_stays_locked_when_posted_to_directly(setting):
    assessment = setting["assessment"]
    complete_all(assessment, setting["amy"])
    services.submit(assessment=assessment, actor=setting["amy"])
    client = client_for(setting["ben"])

    autosave = save(client, assessment, "Q1", "narrative", "Changed after submission", base="We do this well.")
    form = client.post(
        f"/assessments/{assessment.pk}/criteria/Q1/", {"narrative": "Changed", "base_narrative": "We do this well."}
    )
    again = client.post(f"/assessments/{assessment.pk}/submit/")

    assert autosave.status_code == 403
    assert "is locked" in autosave.content.decode()
    assert form.status_code == 302
    assert again.status_code == 302
    assert response_for(assessment, "Q1").narrative == "We do this well."
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1


def test_submit_after_the_deadline_needs_an_extension(setting, lead):
    assessment = setting["assessment"]
    complete_all(assessment, setting["amy"])
    deadline = setting["cohort"].self_assessment_deadline
    an_hour_late = deadline + timedelta(hours=1)

    with pytest.raises(ServiceError, match="has passed"):
        services.submit(assessment=assessment, actor=setting["amy"], now=an_hour_late)

    grant_extension(
        enrolment=setting["enrolment"],
        until=deadline.date() + timedelta(days=3),
        actor=lead,
        now=deadline - timedelta(hours=1),
    )
    services.submit(assessment=assessment, actor=setting["amy"], now=an_hour_late)

    assert SelfAssessment.objects.get(pk=assessment.pk).status == "submitted"


def test_lead_reopens_with_a_reason_and_members_are_told(
    setting, lead_client, lead, django_capture_on_commit_callbacks
):
    assessment = setting["assessment"]
    complete_all(assessment, setting["amy"])
    services.submit(assessment=assessment, actor=setting["amy"])

    no_reason = lead_client.post(f"/assessments/{assessment.pk}/reopen/", {"reason": " "}, follow=True)
    assert SelfAssessment.objects.get(pk=assessment.pk).status == "submitted"
    assert [str(m) for m in no_reason.context["messages"]][-1] == "Give a reason for reopening the self-assessment."

    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(f"/assessments/{assessment.pk}/reopen/", {"reason": "Q3 evidence is missing"})

    assert SelfAssessment.objects.get(pk=assessment.pk).status == "draft"
    assert Enrolment.objects.get(pk=setting["enrolment"].pk).status == "enrolled"
    page = client_for(setting["amy"]).get(f"/assessments/{assessment.pk}/")
    assert page.context["reopened"] is True
    reopened_now = page.context["assessment"]
    assert (reopened_now.reopen_reason, reopened_now.reopened_by) == ("Q3 evidence is missing", lead)
    assert "reopened this self-assessment" in page.content.decode()
    assert "“Q3 evidence is missing”" in page.content.decode()
    reopened = [m for m in mail.outbox if "open for changes again" in m.subject]
    assert sorted(m.to[0] for m in reopened) == ["amy@severn.example", "ben@severn.example"]
    assert "Reason: Q3 evidence is missing" in reopened[0].body
    event = AuditEvent.objects.get(action="assessment.reopened")
    assert (event.actor, event.note) == (lead, "Q3 evidence is missing")


def test_members_cannot_reopen(setting):
    assessment = setting["assessment"]
    complete_all(assessment, setting["amy"])
    services.submit(assessment=assessment, actor=setting["amy"])

    response = client_for(setting["amy"]).post(f"/assessments/{assessment.pk}/reopen/", {"reason": "please"})

    assert response.status_code == 404
    assert SelfAssessment.objects.get(pk=assessment.pk).status == "submitted"


# Who sees what ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "criteria/Q1/", "review/", "print/", "profile.svg"])
def test_other_organisations_judges_and_people_without_a_role_get_404(setting, page):
    assessment = setting["assessment"]
    for outsider in (make_member(email="other@elsewhere.example"), make_judge(), UserFactory()):
        assert client_for(outsider).get(f"/assessments/{assessment.pk}/{page}").status_code == 404


def test_outsiders_cannot_autosave(setting):
    assessment = setting["assessment"]

    answer = save(client_for(make_member(email="other@elsewhere.example")), assessment, "Q1", "level", "5")

    assert answer.status_code == 404
    assert response_for(assessment, "Q1").level is None


@pytest.mark.parametrize("page", ["", "criteria/Q1/", "review/", "print/", "profile.svg"])
def test_lead_reads_every_page_but_cannot_edit(setting, lead_client, page):
    assessment = setting["assessment"]

    assert lead_client.get(f"/assessments/{assessment.pk}/{page}").status_code == 200
    assert save(lead_client, assessment, "Q1", "level", "5").status_code == 403


def test_anonymous_is_sent_to_log_in(setting, client):
    response = client.get(f"/assessments/{setting['assessment'].pk}/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_print_view_shows_the_index_and_the_chart_is_svg(setting):
    assessment = setting["assessment"]
    complete_all(assessment, setting["amy"])
    client = client_for(setting["amy"])

    page = client.get(f"/assessments/{assessment.pk}/print/")
    chart = client.get(f"/assessments/{assessment.pk}/profile.svg")

    # Every criterion at level 3 (5.0 on the 0–10 scale): the index is 50.
    assert page.context["index"] == 50.0
    assert b"<strong>50.0</strong> out of 100" in page.content
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml")
    assert b"Q1 " in chart.content
