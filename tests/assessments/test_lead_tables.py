from datetime import date

import pytest

from assessments.services import self_assessment as services
from cohorts.models import Cohort, Phase
from cohorts.services import programme
from core.errors import ServiceError
from frameworks.models import Framework
from tests.factories import EnrolmentFactory, OrganisationFactory, make_cohort

pytestmark = pytest.mark.django_db


def assess(cohort, name, level=None, *, complete=True, submit=False):
    enrolment = EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name=name))
    assessment = services.ensure_assessment(enrolment=enrolment)
    if level is not None:
        for response in assessment.responses.all():
            services.save_answer(response=response, field="level", value=str(level), base="", actor=None)
            if complete:
                services.save_answer(response=response, field="narrative", value="Evidence.", base="", actor=None)
    if submit:
        services.submit(assessment=assessment, actor=None)
    return enrolment


def test_self_assessment_table_ranks_by_index(lead_client):
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT, start_date=date.today().replace(day=1))
    assess(cohort, "Middle Water", 3, submit=True)  # every level 3 → 50.0
    assess(cohort, "Top Water", 5, submit=True)  # every level 5 → 100.0
    assess(cohort, "Draft Water", 2, complete=False)  # levels but no narratives: index 25.0, 0 complete
    EnrolmentFactory(cohort=cohort, organisation=OrganisationFactory(name="Silent Water"))

    by_index = lead_client.get("/cohorts/3/self-assessments/")
    by_name = lead_client.get("/cohorts/3/self-assessments/", {"sort": "organisation"})

    rows = [(e.organisation.name, s and s.status, s and s.done, s and s.index) for e, s in by_index.context["rows"]]
    assert rows == [
        ("Top Water", "submitted", 10, 100.0),
        ("Middle Water", "submitted", 10, 50.0),
        ("Draft Water", "draft", 0, 25.0),
        ("Silent Water", None, None, None),
    ]
    assert [e.organisation.name for e, _ in by_name.context["rows"]] == [
        "Draft Water",
        "Middle Water",
        "Silent Water",
        "Top Water",
    ]
    assert b"100.0" in by_index.content


@pytest.mark.parametrize("rows", [3, 60])
def test_self_assessment_table_and_dashboard_queries_do_not_grow(lead_client, django_assert_max_num_queries, rows):
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT, start_date=date.today().replace(day=1))
    for n in range(rows):
        assess(cohort, f"Water {n}", 1 + n % 5)

    with django_assert_max_num_queries(14):
        table = lead_client.get("/cohorts/3/self-assessments/")
    with django_assert_max_num_queries(20):
        dashboard = lead_client.get("/cohorts/3/")

    assert len(table.context["rows"]) == rows
    assert dashboard.context["enrolments"][0].summary.done == 10


def test_self_assessment_needs_a_framework_version(lead):
    cohort = make_cohort(number=3, phase=Phase.ENROLMENT, start_date=date.today().replace(day=1))
    Cohort.objects.filter(pk=cohort.pk).update(framework=None)
    cohort.refresh_from_db()
    EnrolmentFactory(cohort=cohort)

    with pytest.raises(ServiceError, match=r"Choose the framework version the cohort assesses against\."):
        programme.move_phase(cohort=cohort, to=Phase.SELF_ASSESSMENT, actor=lead)


def test_a_cohort_keeps_its_framework_version_once_self_assessment_starts(lead):
    cohort = make_cohort(number=3, phase=Phase.SELF_ASSESSMENT)
    newer = Framework.objects.create(version=2, name="P&Q framework 2027")

    with pytest.raises(ServiceError, match="keeps the framework version"):
        programme.update_cohort(cohort=cohort, actor=lead, framework=newer)

    draft = make_cohort(number=4)
    programme.update_cohort(cohort=draft, actor=lead, framework=newer)
    draft.refresh_from_db()
    assert draft.framework == newer
