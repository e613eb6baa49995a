import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection

from cohorts.models import Cohort, Phase
from core.errors import ServiceError
from core.models import AuditEvent
from frameworks import default_framework, services
from frameworks.models import KPI, Criterion, Framework
from tests.factories import UserFactory, make_cohort, make_judge, make_member

pytestmark = pytest.mark.django_db

DEFAULT_CODES = ["Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "P6"]
FROZEN_BY_COHORT_3 = (
    "Version 1 is in use by cohort 3, which is past enrolment: copy it to a new version to make changes."
)


def version(number: int) -> Framework:
    return Framework.objects.get(version=number)


def cohort_using(framework: Framework, *, number: int = 3, phase: str = Phase.DRAFT) -> Cohort:
    cohort = make_cohort(number=number, phase=phase)
    Cohort.objects.filter(pk=cohort.pk).update(framework=framework)
    return cohort


def snapshot(framework: Framework) -> list[tuple]:
    """Everything about a version's criteria and KPIs, in order."""
    return [
        (
            c.code,
            c.pillar,
            c.title,
            c.guidance,
            c.weight,
            c.judging_only,
            c.position,
            tuple(descriptor for _, _, descriptor in c.levels),
            tuple((k.name, k.unit, k.direction, k.position) for k in c.kpis.all()),
        )
        for c in framework.criteria.prefetch_related("kpis")
    ]


def codes(framework: Framework) -> list[str]:
    return list(framework.criteria.values_list("code", flat=True))


def criterion_fields(**overrides) -> dict:
    return {
        "pillar": "Q",
        "code": "Q6",
        "title": "Accessibility",
        "guidance": "Every customer can reach the service in a way that works for them.",
        "weight": Decimal("1"),
        "judging_only": False,
        "level_1": "Nothing is adapted.",
        "level_2": "Some adjustments on request.",
        "level_3": "Adjustments are offered on every channel.",
        "level_4": "Services are designed with disabled customers.",
        "level_5": "Recognised as a model of accessible service.",
        **overrides,
    }


def criterion_post(**overrides) -> dict:
    return {
        key: ("on" if value is True else "" if value is False else str(value))
        for key, value in criterion_fields(**overrides).items()
    }


@pytest.fixture
def copy(lead) -> Framework:
    return services.copy_framework(source=version(1), actor=lead, name="P&Q framework 2027")


# The shipped default -----------------------------------------------------------


def test_migration_loads_the_default_framework_as_version_1():
    framework = version(1)
    criteria = list(framework.criteria.prefetch_related("kpis"))

    assert (framework.name, framework.based_on) == ("P&Q framework 2026", None)
    assert [c.code for c in criteria] == DEFAULT_CODES
    assert [c.position for c in criteria] == list(range(1, 12))
    assert [c.pillar for c in criteria] == ["Q"] * 5 + ["P"] * 6
    assert [(c.code, c.pillar) for c in criteria if c.judging_only] == [("P6", "P")]
    assert {c.code: c.weight for c in criteria} == {
        "Q1": Decimal("1.5"),
        "Q2": Decimal("1"),
        "Q3": Decimal("1"),
        "Q4": Decimal("2"),
        "Q5": Decimal("1.5"),
        "P1": Decimal("1.5"),
        "P2": Decimal("1"),
        "P3": Decimal("1"),
        "P4": Decimal("1.5"),
        "P5": Decimal("1"),
        "P6": Decimal("1"),
    }
    assert all(c.weight > 0 for c in criteria)


def test_every_default_criterion_has_five_descriptors_guidance_and_kpis():
    for criterion in version(1).criteria.prefetch_related("kpis"):
        descriptors = [descriptor.strip() for _, _, descriptor in criterion.levels]
        kpis = list(criterion.kpis.all())

        assert len(descriptors) == 5 and all(descriptors), criterion.code
        assert len(set(descriptors)) == 5, criterion.code
        assert len(re.findall(r"[.!?](?:\s|$)", criterion.guidance)) in (2, 3, 4), criterion.code
        assert all(kpi.direction in ("higher", "lower") and kpi.name for kpi in kpis), criterion.code
        # The on-site presentation is not self-assessed, so nobody reports KPIs for it.
        assert (len(kpis) == 0) if criterion.judging_only else (1 <= len(kpis) <= 3), criterion.code
    assert KPI.objects.filter(criterion__framework__version=1).count() == 25


def test_default_framework_is_written_in_british_english():
    text = repr(default_framework.CRITERIA) + default_framework.DESCRIPTION
    american = re.findall(
        r"\b(\w*organiz\w*|programs?|email|behavior\w*|center\w*|color\w*|\w*prioritiz\w*|\w*analyz\w*)\b",
        text,
        flags=re.IGNORECASE,
    )
    assert american == []


def test_migration_reverse_removes_the_default_and_forward_loads_it_again():
    migration = importlib.import_module("frameworks.migrations.0002_default_framework")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection

    migration.unload_default_framework(django_apps, editor)
    assert (Framework.objects.count(), Criterion.objects.count(), KPI.objects.count()) == (0, 0, 0)

    migration.load_default_framework(django_apps, editor)
    assert codes(version(1)) == DEFAULT_CODES
    assert KPI.objects.count() == 25


# Copying -------------------------------------------------------------------


def test_copy_makes_the_next_version_with_the_same_criteria_and_kpis(lead, copy):
    original = version(1)

    assert (copy.version, copy.name, copy.based_on, copy.description) == (
        2,
        "P&Q framework 2027",
        original,
        original.description,
    )
    assert snapshot(copy) == snapshot(original)
    assert set(copy.criteria.values_list("pk", flat=True)).isdisjoint(original.criteria.values_list("pk", flat=True))
    assert (Criterion.objects.count(), KPI.objects.count()) == (22, 50)
    event = AuditEvent.objects.get(action="framework.copied")
    assert (event.actor, event.object_id, event.after) == (
        lead,
        str(copy.pk),
        {"version": 2, "name": "P&Q framework 2027", "based_on": 1},
    )


def test_copies_are_numbered_after_the_newest_version(lead, copy):
    again = services.copy_framework(source=version(1), actor=lead, name="Another copy of 2026")
    of_copy = services.copy_framework(source=copy, actor=lead, name="A copy of the copy")

    assert [(f.version, f.based_on.version) for f in (again, of_copy)] == [(3, 1), (4, 2)]


def test_copy_needs_a_name(lead):
    with pytest.raises(ServiceError) as refusal:
        services.copy_framework(source=version(1), actor=lead, name="   ")

    assert refusal.value.message == "Give the new version a name."
    assert Framework.objects.count() == 1


def test_a_frozen_version_can_still_be_copied(lead_client):
    cohort_using(version(1), phase=Phase.JUDGING)

    response = lead_client.post("/frameworks/1/copy/", {"name": "P&Q framework 2027"})

    assert response.status_code == 302
    assert response.url == "/frameworks/2/"
    assert (version(2).name, version(2).based_on, codes(version(2))) == (
        "P&Q framework 2027",
        version(1),
        DEFAULT_CODES,
    )


def test_copy_form_asks_for_a_name(lead_client):
    response = lead_client.post("/frameworks/1/copy/", {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert Framework.objects.count() == 1


def test_editing_a_copy_does_not_change_the_original(lead, copy):
    original = snapshot(version(1))
    q1 = copy.criteria.get(code="Q1")

    services.update_framework(framework=copy, actor=lead, name="Renamed", description="Changed")
    services.save_criterion(framework=copy, actor=lead, criterion=q1, title="Listening to customers", weight=3)
    services.save_criterion(framework=copy, actor=lead, **criterion_fields())
    services.remove_criterion(criterion=copy.criteria.get(code="P2"), actor=lead)
    services.save_kpi(criterion=q1, actor=lead, kpi=q1.kpis.get(position=1), name="CSAT", unit="score")
    services.save_kpi(criterion=q1, actor=lead, name="Complaints resolved", unit="%", direction="higher")
    services.remove_kpi(kpi=q1.kpis.get(name="Net Promoter Score"), actor=lead)

    assert snapshot(version(1)) == original
    assert (version(1).name, version(1).description) == ("P&Q framework 2026", default_framework.DESCRIPTION)
    assert codes(version(2)) == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "P1", "P3", "P4", "P5", "P6"]
    assert list(version(2).criteria.values_list("position", flat=True)) == list(range(1, 12))
    assert list(copy.criteria.get(code="Q1").kpis.values_list("name", "unit", "position")) == [
        ("CSAT", "score", 1),
        ("Complaints resolved", "%", 3),
    ]


# Frozen versions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "frozen"),
    [
        (Phase.DRAFT, False),
        (Phase.ENROLMENT, False),
        (Phase.SELF_ASSESSMENT, True),
        (Phase.SHORTLISTING, True),
        (Phase.JUDGING, True),
        (Phase.RESULTS, True),
        (Phase.CLOSED, True),
    ],
)
def test_a_version_is_frozen_once_a_cohort_using_it_is_past_enrolment(phase, frozen):
    cohort_using(version(1), phase=phase)

    assert services.is_frozen(version(1)) is frozen
    assert services.framework_in_use_message(version(1)) == (FROZEN_BY_COHORT_3 if frozen else "")


def test_a_version_no_cohort_uses_is_not_frozen(copy):
    cohort_using(version(1), phase=Phase.JUDGING)

    assert (services.is_frozen(copy), services.framework_in_use_message(copy)) == (False, "")


def test_frozen_message_names_every_cohort_past_enrolment():
    for number, phase in [(3, Phase.CLOSED), (4, Phase.ENROLMENT), (5, Phase.JUDGING), (6, Phase.SELF_ASSESSMENT)]:
        cohort_using(version(1), number=number, phase=phase)

    assert services.framework_in_use_message(version(1)) == (
        "Version 1 is in use by cohorts 3, 5 and 6, which are past enrolment: copy it to a new version to make changes."
    )


def test_frozen_version_refuses_every_change_in_the_services(lead):
    framework = version(1)
    cohort_using(framework, phase=Phase.SELF_ASSESSMENT)
    q1 = framework.criteria.get(code="Q1")
    kpi = q1.kpis.first()
    before, events = snapshot(framework), AuditEvent.objects.count()
    attempts = [
        lambda: services.update_framework(framework=framework, actor=lead, name="Renamed"),
        lambda: services.save_criterion(framework=framework, actor=lead, **criterion_fields()),
        lambda: services.save_criterion(framework=framework, actor=lead, criterion=q1, title="Renamed"),
        lambda: services.remove_criterion(criterion=q1, actor=lead),
        lambda: services.save_kpi(criterion=q1, actor=lead, name="New", unit="%", direction="higher"),
        lambda: services.save_kpi(criterion=q1, actor=lead, kpi=kpi, name="Renamed"),
        lambda: services.remove_kpi(kpi=kpi, actor=lead),
    ]

    for attempt in attempts:
        with pytest.raises(ServiceError) as refusal:
            attempt()
        assert refusal.value.message == FROZEN_BY_COHORT_3

    assert snapshot(version(1)) == before
    assert version(1).name == "P&Q framework 2026"
    assert AuditEvent.objects.count() == events


def frozen_requests(framework: Framework) -> list[tuple[str, dict]]:
    q1 = framework.criteria.get(code="Q1")
    kpi = q1.kpis.first()
    base = f"/frameworks/{framework.version}"
    return [
        (f"{base}/edit/", {"name": "Renamed", "description": ""}),
        (f"{base}/criteria/new/", criterion_post()),
        (f"{base}/criteria/{q1.pk}/edit/", criterion_post(code="Q1", title="Renamed")),
        (f"{base}/criteria/{q1.pk}/remove/", {}),
        (f"{base}/criteria/{q1.pk}/kpis/new/", {"name": "New", "unit": "%", "direction": "higher"}),
        (f"{base}/kpis/{kpi.pk}/edit/", {"name": "Renamed", "unit": "%", "direction": "lower"}),
        (f"{base}/kpis/{kpi.pk}/remove/", {}),
    ]


def test_frozen_version_refuses_every_change_posted_directly(lead_client):
    framework = version(1)
    cohort_using(framework, phase=Phase.SHORTLISTING)
    before, events = snapshot(framework), AuditEvent.objects.count()

    for url, data in frozen_requests(framework):
        response = lead_client.post(url, data, follow=True)

        assert response.redirect_chain == [("/frameworks/1/", 302)], url
        assert [str(m) for m in response.context["messages"]] == ["Nothing was changed: version 1 is frozen."], url
        assert FROZEN_BY_COHORT_3 in response.content.decode()

    assert snapshot(version(1)) == before
    assert version(1).name == "P&Q framework 2026"
    assert AuditEvent.objects.count() == events


def test_frozen_version_sends_edit_pages_back_to_the_version(lead_client):
    framework = version(1)
    cohort_using(framework, phase=Phase.RESULTS)

    for url, _ in frozen_requests(framework):
        if url.endswith("/remove/"):
            continue
        response = lead_client.get(url)
        assert (response.status_code, response.url) == (302, "/frameworks/1/"), url


def test_frozen_version_page_has_no_edit_links(lead_client):
    cohort_using(version(1), phase=Phase.SELF_ASSESSMENT)

    response = lead_client.get("/frameworks/1/")

    content = response.content.decode()
    assert response.context["frozen"] is True
    assert FROZEN_BY_COHORT_3 in content
    assert "/frameworks/1/edit/" not in content
    assert "/criteria/new/" not in content
    assert re.findall(r"/frameworks/1/(?:criteria|kpis)/\d+/", content) == []
    assert 'action="/frameworks/1/copy/"' in content


def test_unfrozen_version_allows_every_change_through_the_pages(lead_client, lead):
    framework = version(1)
    cohort_using(framework, phase=Phase.ENROLMENT)
    q1 = framework.criteria.get(code="Q1")
    q2 = framework.criteria.get(code="Q2")

    responses = [
        lead_client.post("/frameworks/1/edit/", {"name": "P&Q framework 2026, revised", "description": "Revised."}),
        lead_client.post("/frameworks/1/criteria/new/", criterion_post(weight="1.25")),
        lead_client.post(
            f"/frameworks/1/criteria/{q1.pk}/edit/",
            criterion_post(code="Q1", title="Listening to customers", weight="2", judging_only=False),
        ),
        lead_client.post(f"/frameworks/1/criteria/{q2.pk}/remove/"),
        lead_client.post(
            f"/frameworks/1/criteria/{q1.pk}/kpis/new/",
            {"name": "Survey response rate", "unit": "%", "direction": "higher"},
        ),
    ]
    nps = KPI.objects.get(criterion=q1, name="Net Promoter Score")
    csat = KPI.objects.get(criterion=q1, name="Customer satisfaction (CSAT)")
    responses += [
        lead_client.post(
            f"/frameworks/1/kpis/{csat.pk}/edit/", {"name": "CSAT", "unit": "score", "direction": "higher"}
        ),
        lead_client.post(f"/frameworks/1/kpis/{nps.pk}/remove/"),
    ]

    new = Criterion.objects.get(framework=framework, code="Q6")
    assert [(r.status_code, r.url) for r in responses] == [
        (302, "/frameworks/1/"),
        (302, f"/frameworks/1/#criterion-{new.pk}"),
        (302, f"/frameworks/1/#criterion-{q1.pk}"),
        (302, "/frameworks/1/"),
        (302, f"/frameworks/1/#criterion-{q1.pk}"),
        (302, f"/frameworks/1/#criterion-{q1.pk}"),
        (302, f"/frameworks/1/#criterion-{q1.pk}"),
    ]
    framework.refresh_from_db()
    q1.refresh_from_db()
    assert (framework.name, framework.description) == ("P&Q framework 2026, revised", "Revised.")
    assert codes(framework) == ["Q1", "Q3", "Q4", "Q5", "Q6", "P1", "P2", "P3", "P4", "P5", "P6"]
    assert list(framework.criteria.values_list("position", flat=True)) == list(range(1, 12))
    assert (q1.title, q1.weight, q1.level_3) == (
        "Listening to customers",
        Decimal("2"),
        "Adjustments are offered on every channel.",
    )
    assert (new.pillar, new.weight, new.judging_only) == ("Q", Decimal("1.25"), False)
    assert list(q1.kpis.values_list("name", "unit", "direction")) == [
        ("CSAT", "score", "higher"),
        ("Survey response rate", "%", "higher"),
    ]


def test_changes_are_audited_on_the_version(lead, copy):
    q1 = copy.criteria.get(code="Q1")
    csat = q1.kpis.get(position=1)

    services.update_framework(framework=copy, actor=lead, name="Renamed")
    services.save_criterion(framework=copy, actor=lead, criterion=q1, title="Listening to customers", weight="2")
    services.save_criterion(framework=copy, actor=lead, criterion=q1)  # nothing changed: no entry
    services.save_criterion(framework=copy, actor=lead, **criterion_fields())
    services.save_kpi(criterion=q1, actor=lead, kpi=csat, name="CSAT")
    services.save_kpi(criterion=q1, actor=lead, name="Survey response rate", unit="%", direction="higher")
    services.remove_kpi(kpi=csat, actor=lead)
    services.remove_criterion(criterion=copy.criteria.get(code="P2"), actor=lead)

    events = list(AuditEvent.objects.for_object(copy).order_by("id"))
    assert [event.action for event in events] == [
        "framework.copied",
        "framework.updated",
        "criterion.changed",
        "criterion.added",
        "kpi.changed",
        "kpi.added",
        "kpi.removed",
        "criterion.removed",
    ]
    assert {event.actor for event in events} == {lead}
    assert (events[1].before, events[1].after) == ({"name": "P&Q framework 2027"}, {"name": "Renamed"})
    assert (events[2].before, events[2].after) == (
        {"code": "Q1", "title": "Voice of the customer and outside-in measurement", "weight": "1.5"},
        {"code": "Q1", "title": "Listening to customers", "weight": "2"},
    )
    assert events[3].after == {**criterion_fields(), "weight": "1"}
    assert (events[4].before, events[4].after) == (
        {"criterion": "Q1", "name": "Customer satisfaction (CSAT)"},
        {"criterion": "Q1", "name": "CSAT"},
    )
    assert events[5].after == {"criterion": "Q1", "name": "Survey response rate", "unit": "%", "direction": "higher"}
    assert events[6].before == {"criterion": "Q1", "name": "CSAT", "unit": "%", "direction": "higher"}
    assert events[7].before["code"] == "P2"
    assert events[7].before["kpis"] == [
        "One-to-ones held as planned",
        "Share of the agent scorecard given to customer outcomes",
    ]
    assert AuditEvent.objects.for_object(version(1)).count() == 0


# Rules on criteria and KPIs --------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "q1"}, "code", "Version 2 already has a criterion Q1."),
        ({"code": " "}, "code", "Give the criterion a code, such as Q3."),
        ({"code": "Q-TOO-LONG-1"}, "code", "Keep the code to 10 characters or fewer, such as Q3."),
        ({"title": ""}, "title", "Give the criterion a title."),
        ({"pillar": "X"}, "pillar", "Choose the pillar: people performance (P) or service quality (Q)."),
        ({"weight": Decimal("0")}, "weight", "The weight must be greater than 0."),
        ({"weight": Decimal("-1")}, "weight", "The weight must be greater than 0."),
        ({"weight": Decimal("1000")}, "weight", "The weight must be less than 1,000."),
        ({"level_3": "  "}, "level_3", "Describe maturity level 3: every level needs a descriptor."),
    ],
)
def test_save_criterion_refuses_bad_values(lead, copy, overrides, field, message):
    before = snapshot(copy)

    with pytest.raises(services.FieldError) as refusal:
        services.save_criterion(framework=copy, actor=lead, **criterion_fields(**overrides))

    assert (refusal.value.field, refusal.value.message) == (field, message)
    assert snapshot(copy) == before


def test_a_criterion_may_keep_its_own_code(lead, copy):
    q1 = copy.criteria.get(code="Q1")

    saved = services.save_criterion(framework=copy, actor=lead, criterion=q1, code="q1", title="Voice")

    assert (saved.pk, saved.code, saved.title) == (q1.pk, "Q1", "Voice")


def test_criterion_form_shows_the_rules_next_to_the_fields(lead_client, copy):
    response = lead_client.post(
        "/frameworks/2/criteria/new/", criterion_post(code="P3", weight="0", level_4="", pillar="P")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "weight": ["The weight must be greater than 0."],
        "level_4": ["This field is required."],
    }

    response = lead_client.post("/frameworks/2/criteria/new/", criterion_post(code="P3", pillar="P"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Version 2 already has a criterion P3."]}
    assert codes(copy) == DEFAULT_CODES


def test_a_criterion_moved_to_the_other_pillar_goes_last_there(lead, copy):
    q2 = copy.criteria.get(code="Q2")

    services.save_criterion(framework=copy, actor=lead, criterion=q2, pillar="P", code="P7")

    assert codes(copy) == ["Q1", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "P6", "P7"]
    assert list(copy.criteria.values_list("position", flat=True)) == list(range(1, 12))


def test_a_kpi_needs_a_name_and_a_direction(lead, copy):
    q1 = copy.criteria.get(code="Q1")

    with pytest.raises(services.FieldError) as no_name:
        services.save_kpi(criterion=q1, actor=lead, name=" ", unit="%", direction="higher")
    with pytest.raises(services.FieldError) as no_direction:
        services.save_kpi(criterion=q1, actor=lead, name="Survey response rate", unit="%", direction="sideways")

    assert (no_name.value.field, no_name.value.message) == ("name", "Give the KPI a name.")
    assert (no_direction.value.field, no_direction.value.message) == (
        "direction",
        "Say whether a higher or a lower value is better.",
    )
    assert q1.kpis.count() == 2


def test_pages_only_reach_criteria_and_kpis_of_their_own_version(lead_client, copy):
    q1_of_1 = version(1).criteria.get(code="Q1")
    kpi_of_1 = q1_of_1.kpis.first()

    assert lead_client.get(f"/frameworks/2/criteria/{q1_of_1.pk}/edit/").status_code == 404
    assert lead_client.post(f"/frameworks/2/criteria/{q1_of_1.pk}/remove/").status_code == 404
    assert lead_client.post(f"/frameworks/2/kpis/{kpi_of_1.pk}/remove/").status_code == 404
    assert lead_client.get("/frameworks/99/").status_code == 404
    assert codes(version(1)) == DEFAULT_CODES


# Pages and access --------------------------------------------------------------


def test_version_page_groups_the_criteria_by_pillar(lead_client):
    cohort_using(version(1), phase=Phase.ENROLMENT)

    response = lead_client.get("/frameworks/1/")

    content = response.content.decode()
    pillars = response.context["pillars"]
    assert response.status_code == 200
    assert [(p["code"], [c.code for c in p["criteria"]], p["weight"], p["share"]) for p in pillars] == [
        ("Q", ["Q1", "Q2", "Q3", "Q4", "Q5"], "7", 50),
        ("P", ["P1", "P2", "P3", "P4", "P5", "P6"], "7", 50),
    ]
    assert [(c.weight_text, c.share) for c in pillars[0]["criteria"]] == [
        ("1.5", Decimal("10.7")),
        ("1", Decimal("7.1")),
        ("1", Decimal("7.1")),
        ("2", Decimal("14.3")),
        ("1.5", Decimal("10.7")),
    ]
    assert content.count('<span class="badge text-bg-warning">Judging only</span>') == 1
    assert content.count("<summary>The five maturity levels</summary>") == 11
    assert response.context["frozen"] is False
    assert "/frameworks/1/edit/" in content
    assert len(re.findall(r"/frameworks/1/criteria/\d+/edit/", content)) == 11


def test_version_list_shows_who_uses_each_version_and_whether_it_is_frozen(lead_client, copy):
    cohort_using(version(1), number=3, phase=Phase.JUDGING)
    cohort_using(copy, number=4, phase=Phase.ENROLMENT)

    response = lead_client.get("/frameworks/")

    rows = [
        (f.version, f.criterion_count, [c.number for c in f.cohorts.all()], [c.number for c in past])
        for f, past in response.context["rows"]
    ]
    assert rows == [(2, 11, [4], []), (1, 11, [3], [3])]
    content = response.content.decode()
    assert "Cohort 3 is past enrolment" in content
    assert content.count(">Frozen</span>") == 1
    assert content.count(">Can be changed</span>") == 1


def test_version_list_empty_state(lead_client):
    Framework.objects.all().delete()

    response = lead_client.get("/frameworks/")

    assert response.status_code == 200
    assert "No framework versions yet." in response.content.decode()


@pytest.mark.parametrize("item_count", [3, 60])
def test_version_list_query_count_does_not_grow_with_rows(lead_client, lead, item_count, django_assert_max_num_queries):
    for index in range(item_count - 1):
        copy = services.copy_framework(source=version(1), actor=lead, name=f"Copy {index}")
        cohort_using(copy, number=index + 1, phase=Phase.SELF_ASSESSMENT if index % 2 else Phase.DRAFT)

    # Session, user, roles, memberships, MFA, the page's count, the versions
    # with their numbers of criteria, their cohorts, the navigation's count of
    # waiting applications and the session's save (3): as many for 3 versions
    # as for 60.
    with django_assert_max_num_queries(12):
        response = lead_client.get("/frameworks/")

    assert response.status_code == 200
    assert len(response.context["rows"]) == min(item_count, 25)


def all_urls(framework: Framework) -> list[str]:
    q1 = framework.criteria.get(code="Q1")
    kpi = q1.kpis.first()
    base = f"/frameworks/{framework.version}"
    return [
        "/frameworks/",
        f"{base}/",
        f"{base}/copy/",
        f"{base}/edit/",
        f"{base}/criteria/new/",
        f"{base}/criteria/{q1.pk}/edit/",
        f"{base}/criteria/{q1.pk}/remove/",
        f"{base}/criteria/{q1.pk}/kpis/new/",
        f"{base}/kpis/{kpi.pk}/edit/",
        f"{base}/kpis/{kpi.pk}/remove/",
    ]


@pytest.mark.parametrize("make_user", [make_member, make_judge, UserFactory], ids=["member", "judge", "no role"])
def test_only_the_lead_reaches_the_framework_pages(client, make_user):
    client.force_login(make_user())
    framework = version(1)
    before = snapshot(framework)

    for url in all_urls(framework):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Taken over", **criterion_post()}).status_code == 403, url

    assert snapshot(version(1)) == before
    assert Framework.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in all_urls(version(1)):
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/"), url
