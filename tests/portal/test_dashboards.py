from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin

from cohorts.models import Phase
from judging.models import CohortJudge
from tests.factories import EnrolmentFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_now(monkeypatch):
    """The dashboards' clock: 1 May 2027, 12:00 UTC (a fortnight before the
    default timeline's self-assessment deadline of 15 May 2027, 23:59 BST)."""
    moment = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("portal.views.timezone.now", lambda: moment)
    return moment


def test_member_sees_their_cohort_timeline_next_step_and_deadline_countdown(client, frozen_now):
    member = make_member(email="amy@severn.example")
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)
    EnrolmentFactory(cohort=cohort, organisation=member.memberships.get().organisation)
    make_cohort(number=4, phase=Phase.ENROLMENT)  # not theirs
    client.force_login(member)

    response = client.get("/organisation/")

    [card] = response.context["cards"]
    assert card.cohort.number == 3
    assert card.deadline_in == "in 14 days"
    assert f"{card.deadline:%H:%M %d/%m/%Y %Z}" == "23:59 15/05/2027 BST"
    assert card.next.title == "Workshop 4"
    assert card.can_submit is True
    assert card.next_step == "Complete your self-assessment with your colleagues and submit it before the deadline."
    assert b"23:59, Saturday 15 May 2027" in response.content
    assert b"in 14 days" in response.content


def test_member_with_an_extension_sees_their_own_deadline(client, frozen_now):
    member = make_member()
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)
    EnrolmentFactory(
        cohort=cohort, organisation=member.memberships.get().organisation, extension_until=date(2027, 5, 22)
    )
    client.force_login(member)

    [card] = client.get("/organisation/").context["cards"]

    assert f"{card.deadline:%H:%M %d/%m/%Y}" == "23:59 22/05/2027"
    assert card.deadline_in == "in 21 days"


def test_judge_sees_the_cohorts_they_judge(client, frozen_now):
    judge = make_judge()
    judged = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)
    make_cohort(number=4)
    CohortJudge.objects.create(cohort=judged, judge=judge)
    client.force_login(judge)

    response = client.get("/judge/")

    assert [card.cohort.number for card in response.context["cards"]] == [3]
    assert response.context["cards"][0].next.title == "Workshop 4"


def test_lead_dashboard_lists_open_cohorts(client, lead, frozen_now):
    make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)
    make_cohort(number=2, phase=Phase.CLOSED)
    client.force_login(lead)  # after the clock is frozen, so the session is fresh

    response = client.get("/lead/")

    assert [card.cohort.number for card in response.context["cohorts"]] == [3]


@pytest.mark.parametrize("rows", [3, 60])
def test_member_dashboard_queries_do_not_grow(client, django_assert_max_num_queries, rows):
    member = make_member()
    organisation = member.memberships.get().organisation
    for number in range(1, rows + 1):
        EnrolmentFactory(cohort=make_cohort(number=number), organisation=organisation)
    client.force_login(member)

    with django_assert_max_num_queries(12):
        response = client.get("/organisation/")

    assert len(response.context["cards"]) == rows


def test_every_model_of_ours_is_in_the_admin():
    # Our apps are the packages at the top of the project (the libraries live in .venv).
    ours = [config for config in apps.get_app_configs() if Path(config.path).parent == settings.BASE_DIR]
    models = [model for config in ours for model in config.get_models()]

    missing = [model._meta.label for model in models if model not in admin.site._registry]

    assert {config.label for config in ours} >= {"accounts", "assessments", "cohorts", "core", "documents"}
    assert missing == []


@pytest.mark.parametrize(
    "path",
    [
        "/admin/cohorts/cohort/?q=water",
        "/admin/organisations/organisation/?sector__exact=water",
        "/admin/cohorts/enrolment/?status__exact=enrolled",
        "/admin/cohorts/milestone/",
        "/admin/cohorts/application/",
        "/admin/judging/cohortjudge/",
        "/admin/organisations/organisationimport/",
        "/admin/organisations/membership/",
        "/admin/frameworks/framework/",
        "/admin/frameworks/criterion/?pillar__exact=Q",
        "/admin/assessments/selfassessment/",
        "/admin/assessments/response/?q=Q1",
        "/admin/frameworks/kpi/",
        "/admin/assessments/kpivalue/",
        "/admin/assessments/evidencefile/",
        "/admin/documents/certificate/",
        "/admin/documents/document/",
        "/admin/documents/documentbatch/",
    ],
)
def test_lead_can_browse_the_admin(lead_client, path):
    EnrolmentFactory(cohort=make_cohort(number=3))

    assert lead_client.get(path).status_code == 200
