"""Framework versions: copying a version, and changing one while no cohort
past enrolment uses it. Each write audits itself on the framework.

A cohort keeps the version it started with, so a version in use by a cohort
that has reached self-assessment (or any later phase) is frozen: its
criteria are what organisations assess themselves and judges score against.
To change it, the lead copies it to a new version and edits the copy.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, QuerySet

from core import audit
from core.errors import ServiceError
from frameworks.models import KPI, Criterion, Framework, Pillar

# Who uses a version, and whether organisations answered a criterion or a KPI,
# is known to the apps above frameworks: cohorts and assessments register how
# to ask when they load (their AppConfig.ready), so that frameworks imports
# neither.


@dataclass(frozen=True)
class VersionUsers:
    """`past_enrolment(framework, lock)`: the cohorts using the version that are
    past enrolment, by number (with `lock`, locked for the rest of the
    transaction, so that none moves past enrolment while the version changes;
    without, from the framework's prefetched cohorts when loaded)."""

    past_enrolment: Callable[[Framework, bool], list]


@dataclass(frozen=True)
class AnswerChecks:
    criterion_answered: Callable[[Criterion], bool]
    kpi_answered: Callable[[KPI], bool]


_version_users: VersionUsers | None = None
_answer_checks: AnswerChecks | None = None


def register_version_users(users: VersionUsers) -> None:
    global _version_users  # set once, when the cohorts app loads
    _version_users = users


def register_answer_checks(checks: AnswerChecks) -> None:
    global _answer_checks  # set once, when the assessments app loads
    _answer_checks = checks


def _users() -> VersionUsers:
    if _version_users is None:
        raise RuntimeError("No VersionUsers registered: the cohorts app registers them when it loads.")
    return _version_users


def _answers() -> AnswerChecks:
    if _answer_checks is None:
        raise RuntimeError("No AnswerChecks registered: the assessments app registers them when it loads.")
    return _answer_checks


def _cohorts_by_number() -> Prefetch:
    # The cohorts that point at a version (cohorts.Cohort.framework), by number.
    cohort_model = Framework._meta.get_field("cohorts").related_model
    return Prefetch("cohorts", queryset=cohort_model.objects.order_by("number"))


# The order of the pillars within a framework: service quality, then people.
PILLAR_ORDER = (Pillar.QUALITY, Pillar.PEOPLE)
LEVEL_FIELDS = ("level_1", "level_2", "level_3", "level_4", "level_5")
CRITERION_FIELDS = ("pillar", "code", "title", "guidance", "weight", "judging_only", *LEVEL_FIELDS)
KPI_FIELDS = ("name", "unit", "direction")
CODE_LENGTH = Criterion._meta.get_field("code").max_length
MAX_WEIGHT = 1000  # five digits, two of them after the point


class FieldError(ServiceError):
    """A refusal about one field, so that a form can show it next to it."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


# Reads -----------------------------------------------------------------------


def frameworks_for_list() -> QuerySet[Framework]:
    """Every version, newest first, with the cohorts that use it and the
    number of criteria loaded in a fixed number of queries."""
    return (
        Framework.objects.select_related("based_on")
        .annotate(criterion_count=Count("criteria"))
        .prefetch_related(_cohorts_by_number())
        .order_by("-version")
    )


def framework_for_page(version: int) -> Framework:
    """One version with its cohorts, criteria and KPIs (raises Framework.DoesNotExist)."""
    return (
        Framework.objects.select_related("based_on")
        .prefetch_related(
            _cohorts_by_number(),
            Prefetch("criteria", queryset=Criterion.objects.prefetch_related("kpis")),
        )
        .get(version=version)
    )


def cohorts_past_enrolment(framework: Framework) -> list:
    """The cohorts using `framework` that are past enrolment, by number
    (uses the framework's prefetched cohorts when they are loaded)."""
    return _users().past_enrolment(framework, False)


def is_frozen(framework: Framework) -> bool:
    """True when a cohort using the version is past enrolment."""
    return bool(cohorts_past_enrolment(framework))


def framework_in_use_message(framework: Framework) -> str:
    """Why the version cannot be changed, or "" when it can."""
    return _frozen_message(framework.version, [cohort.number for cohort in cohorts_past_enrolment(framework)])


def _frozen_message(version: int, numbers: list[int]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        users = f"cohort {numbers[0]}, which is"
    else:
        users = f"cohorts {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}, which are"
    return f"Version {version} is in use by {users} past enrolment: copy it to a new version to make changes."


def _refuse_if_frozen(framework: Framework) -> None:
    # Locks the cohorts using the version, so that none of them moves past
    # enrolment (move_phase locks the cohort too) while the change is made.
    numbers = [cohort.number for cohort in _users().past_enrolment(framework, True)]
    if numbers:
        raise ServiceError(_frozen_message(framework.version, numbers))


def _locked(framework: Framework) -> Framework:
    return Framework.objects.select_for_update().get(pk=framework.pk)


# Versions --------------------------------------------------------------------


@transaction.atomic
def copy_framework(*, source: Framework, actor, name: str) -> Framework:
    """Copy `source` to a new version, numbered after the newest one, with
    all its criteria and their KPIs. A frozen version can be copied: that is
    how it gets changed.

    Side effects: the new framework, its criteria and KPIs; an audit entry on
    the new framework.
    """
    name = _required(name, field="name", message="Give the new version a name.")
    newest = Framework.objects.aggregate(newest=Max("version"))["newest"] or 0
    try:
        with transaction.atomic():
            framework = Framework.objects.create(
                version=newest + 1, name=name, description=source.description, based_on=source
            )
    except IntegrityError as error:
        raise ServiceError("Another version was created at the same moment: try again.") from error
    criteria = list(source.criteria.prefetch_related("kpis"))
    copies = Criterion.objects.bulk_create(
        Criterion(framework=framework, position=criterion.position, **_criterion_state(criterion, raw=True))
        for criterion in criteria
    )
    KPI.objects.bulk_create(
        KPI(criterion=copy, position=kpi.position, name=kpi.name, unit=kpi.unit, direction=kpi.direction)
        for criterion, copy in zip(criteria, copies, strict=True)
        for kpi in criterion.kpis.all()
    )
    audit.record(
        actor=actor,
        action="framework.copied",
        obj=framework,
        after={"version": framework.version, "name": framework.name, "based_on": source.version},
    )
    return framework


@transaction.atomic
def update_framework(*, framework: Framework, actor, name: str, description: str | None = None) -> Framework:
    """Rename a version or change its description.

    Side effects: the framework saved; an audit entry with what changed.
    Refused when the version is frozen.
    """
    framework = _locked(framework)
    _refuse_if_frozen(framework)
    name = _required(name, field="name", message="Give the version a name.")
    before = {"name": framework.name, "description": framework.description}
    after = {"name": name, "description": framework.description if description is None else description.strip()}
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return framework
    framework.name, framework.description = after["name"], after["description"]
    framework.save(update_fields=changed)
    audit.record(
        actor=actor,
        action="framework.updated",
        obj=framework,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return framework


# Criteria --------------------------------------------------------------------


@transaction.atomic
def save_criterion(*, framework: Framework, actor, criterion: Criterion | None = None, **fields) -> Criterion:
    """Add a criterion to the version, or change one of its criteria.

    The code is unique in the version; the weight is above 0; all five
    maturity-level descriptors are needed. A new criterion (or one moved to
    the other pillar) goes to the end of its pillar.

    Side effects: the criterion saved, the criteria's positions renumbered;
    an audit entry with the before and after. Refused when the version is
    frozen.
    """
    framework = _locked(framework)
    _refuse_if_frozen(framework)
    if criterion is not None:
        criterion = Criterion.objects.get(pk=criterion.pk)
        if criterion.framework_id != framework.pk:
            raise ServiceError("That criterion belongs to another version.")
    values = _clean_criterion(framework, criterion, fields)
    if criterion is None:
        criterion = Criterion.objects.create(framework=framework, position=_after_last(framework), **values)
        _renumber(framework)
        audit.record(actor=actor, action="criterion.added", obj=framework, after=_criterion_state(criterion))
        return criterion
    before = _criterion_state(criterion)
    if values["pillar"] != criterion.pillar:
        criterion.position = _after_last(framework)
    for name, value in values.items():
        setattr(criterion, name, value)
    criterion.save()
    _renumber(framework)
    after = _criterion_state(criterion)
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        audit.record(
            actor=actor,
            action="criterion.changed",
            obj=framework,
            before={"code": before["code"], **{key: before[key] for key in changed}},
            after={"code": after["code"], **{key: after[key] for key in changed}},
        )
    return criterion


@transaction.atomic
def remove_criterion(*, criterion: Criterion, actor) -> None:
    """Side effects: the criterion and its KPIs deleted, the positions
    renumbered; an audit entry with what was removed. Refused when the
    version is frozen or an organisation has already answered it."""
    criterion = Criterion.objects.get(pk=criterion.pk)
    framework = _locked(criterion.framework)
    _refuse_if_frozen(framework)
    if _answers().criterion_answered(criterion):
        raise ServiceError(f"Organisations have already answered {criterion.code}, so it cannot be removed.")
    before = {**_criterion_state(criterion), "kpis": [kpi.name for kpi in criterion.kpis.all()]}
    criterion.delete()
    _renumber(framework)
    audit.record(actor=actor, action="criterion.removed", obj=framework, before=before)


def _clean_criterion(framework: Framework, criterion: Criterion | None, fields: dict) -> dict:
    unknown = set(fields) - set(CRITERION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown criterion fields: {', '.join(sorted(unknown))}")
    current = _criterion_state(criterion, raw=True) if criterion is not None else {}
    values = {**current, **fields}
    if values.get("pillar") not in Pillar.values:
        raise FieldError("Choose the pillar: people performance (P) or service quality (Q).", field="pillar")
    values["code"] = _required(values.get("code"), field="code", message="Give the criterion a code, such as Q3.")
    values["code"] = values["code"].upper()
    if len(values["code"]) > CODE_LENGTH:
        raise FieldError(f"Keep the code to {CODE_LENGTH} characters or fewer, such as Q3.", field="code")
    clash = framework.criteria.filter(code__iexact=values["code"])
    if criterion is not None:
        clash = clash.exclude(pk=criterion.pk)
    if clash.exists():
        raise FieldError(f"Version {framework.version} already has a criterion {values['code']}.", field="code")
    values["title"] = _required(values.get("title"), field="title", message="Give the criterion a title.")
    values["guidance"] = (values.get("guidance") or "").strip()
    weight = values.get("weight")
    if weight is None or Decimal(weight) <= 0:
        raise FieldError("The weight must be greater than 0.", field="weight")
    if Decimal(weight) >= MAX_WEIGHT:
        raise FieldError(f"The weight must be less than {MAX_WEIGHT:,}.", field="weight")
    values["weight"] = Decimal(weight)
    values["judging_only"] = bool(values.get("judging_only"))
    for n, field in enumerate(LEVEL_FIELDS, start=1):
        values[field] = _required(
            values.get(field), field=field, message=f"Describe maturity level {n}: every level needs a descriptor."
        )
    return values


def _criterion_state(criterion: Criterion, *, raw: bool = False) -> dict:
    values = {field: getattr(criterion, field) for field in CRITERION_FIELDS}
    if not raw:
        values["weight"] = f"{Decimal(values['weight']).normalize():f}"
    return values


def _after_last(framework: Framework) -> int:
    # Past every position, so that _renumber puts it last in its pillar.
    return (framework.criteria.aggregate(last=Max("position"))["last"] or 0) + 1


def _renumber(framework: Framework) -> None:
    """Positions 1, 2, 3… in pillar order (Q, then P), keeping the order
    within each pillar."""
    criteria = sorted(framework.criteria.all(), key=lambda c: (PILLAR_ORDER.index(c.pillar), c.position, c.code, c.pk))
    for position, criterion in enumerate(criteria, start=1):
        criterion.position = position
    Criterion.objects.bulk_update(criteria, ["position"])


# KPIs ------------------------------------------------------------------------


@transaction.atomic
def save_kpi(*, criterion: Criterion, actor, kpi: KPI | None = None, **fields) -> KPI:
    """Add a KPI to a criterion (at the end of its list), or change one.

    Side effects: the KPI saved; an audit entry on the framework. Refused
    when the version is frozen.
    """
    framework = _locked(criterion.framework)
    _refuse_if_frozen(framework)
    if kpi is not None and kpi.criterion_id != criterion.pk:
        raise ServiceError("That KPI belongs to another criterion.")
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise TypeError(f"Unknown KPI fields: {', '.join(sorted(unknown))}")
    values = {**({field: getattr(kpi, field) for field in KPI_FIELDS} if kpi else {}), **fields}
    values["name"] = _required(values.get("name"), field="name", message="Give the KPI a name.")
    values["unit"] = (values.get("unit") or "").strip()
    if values.get("direction") not in KPI.Direction.values:
        raise FieldError("Say whether a higher or a lower value is better.", field="direction")
    if kpi is None:
        position = (criterion.kpis.aggregate(last=Max("position"))["last"] or 0) + 1
        kpi = KPI.objects.create(criterion=criterion, position=position, **values)
        audit.record(actor=actor, action="kpi.added", obj=framework, after={"criterion": criterion.code, **values})
        return kpi
    kpi = KPI.objects.get(pk=kpi.pk)
    before = {field: getattr(kpi, field) for field in KPI_FIELDS}
    changed = [field for field in KPI_FIELDS if before[field] != values[field]]
    if not changed:
        return kpi
    for field in changed:
        setattr(kpi, field, values[field])
    kpi.save(update_fields=changed)
    audit.record(
        actor=actor,
        action="kpi.changed",
        obj=framework,
        before={"criterion": criterion.code, **{field: before[field] for field in changed}},
        after={"criterion": criterion.code, **{field: values[field] for field in changed}},
    )
    return kpi


@transaction.atomic
def remove_kpi(*, kpi: KPI, actor) -> None:
    """Side effects: the KPI deleted; an audit entry on the framework.
    Refused when the version is frozen or an organisation has reported a
    value for it."""
    kpi = KPI.objects.select_related("criterion").get(pk=kpi.pk)
    criterion = kpi.criterion
    framework = _locked(criterion.framework)
    _refuse_if_frozen(framework)
    if _answers().kpi_answered(kpi):
        raise ServiceError(f"Organisations have already reported “{kpi.name}”, so it cannot be removed.")
    before = {"criterion": criterion.code, **{field: getattr(kpi, field) for field in KPI_FIELDS}}
    kpi.delete()
    audit.record(actor=actor, action="kpi.removed", obj=framework, before=before)


def _required(value, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(message, field=field)
    return value
