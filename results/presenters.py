"""What the results pages and the reports show, from one dictionary shaped
like ResultSnapshot.data: the frozen one once the results are final, or the
live computation put in the same shape by results.snapshot_data. So the
lead's pages, each organisation's page, the exports and the PDF reports
cannot drift apart, and nothing here recomputes what was frozen. The only
values derived from a snapshot are the ones it does not store as results:
the totals in the cohort's other mode (for comparison), the spread and
severity of the frozen scores, medians, and the self-assessment index.

No views and no requests here: the pages in cohorts/views/results.py and
the reports in documents/reports.py both build on these functions."""

from __future__ import annotations

from dataclasses import dataclass, field

from assessments.models import Response
from cohorts.models import Cohort, Enrolment, EnrolmentStatus
from results import charts, scoring, services
from results.models import ResultSnapshot

AWARD_LABELS = {
    "winner": "Overall winner",
    "best_people": "Best people performance",
    "best_quality": "Best service quality",
}


def mode_words(normalised: bool) -> str:
    return "normalised scores" if normalised else "raw scores"


def signed(value: float | None) -> str:
    """A difference rounded half up to one decimal, with its sign: +1.3, −0.8, 0.0."""
    if value is None:
        return ""
    rounded = scoring.round_half_up(value)
    if rounded == 0:
        return "0.0"
    return f"+{rounded}" if rounded > 0 else f"−{-rounded}"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# The board: what every results page shows, from snapshot-shaped data --------


@dataclass(frozen=True)
class Totals:
    total: float | None = None
    p_total: float | None = None
    q_total: float | None = None
    rank: int | None = None
    level: str = scoring.NOT_JUDGED

    @property
    def level_label(self) -> str:
        return services.LEVEL_LABELS[self.level]


@dataclass
class FinalistRow:
    enrolment: int
    organisation: str
    judged: bool
    judges: int
    used: Totals  # the cohort's mode: the results
    other: Totals  # the other mode, for comparison only
    raw: Totals
    normalised: Totals
    means: dict[str, float]
    other_means: dict[str, float]
    moderation: list[str]
    awards: list[str]
    data: dict  # the finalist's entry in the data, as stored

    @property
    def rank_differs(self) -> bool:
        return self.judged and self.other.rank != self.used.rank

    @property
    def level_differs(self) -> bool:
        return self.judged and self.other.level != self.used.level


@dataclass
class Board:
    cohort: Cohort
    data: dict
    normalised: bool
    pass_threshold: float
    distinction_threshold: float
    rows: list[FinalistRow]
    snapshot: ResultSnapshot | None = None
    open_scorecards: list[tuple[str, str]] = field(default_factory=list)
    withdrawn: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def is_live(self) -> bool:
        return self.snapshot is None

    @property
    def mode(self) -> str:
        return mode_words(self.normalised)

    @property
    def other_mode(self) -> str:
        return mode_words(not self.normalised)

    @property
    def criteria(self) -> list[dict]:
        return self.data["criteria"]

    @property
    def judged_rows(self) -> list[FinalistRow]:
        return [row for row in self.rows if row.judged]

    @property
    def not_judged(self) -> list[FinalistRow]:
        return [row for row in self.rows if not row.judged]

    def row(self, enrolment_id: int) -> FinalistRow | None:
        return next((row for row in self.rows if row.enrolment == enrolment_id), None)

    def awards(self) -> list[tuple[str, list[str]]]:
        names = {row.enrolment: row.organisation for row in self.rows}
        return [
            (label, [names[pk] for pk in self.data["awards"].get(key, []) if pk in names])
            for key, label in AWARD_LABELS.items()
        ]


def _criterion_infos(data: dict) -> list[scoring.CriterionInfo]:
    return [scoring.CriterionInfo(c["code"], c["pillar"], float(c["weight"])) for c in data["criteria"]]


def _raw_scorecards(data: dict) -> dict[tuple[int, int], dict[str, float]]:
    cards: dict[tuple[int, int], dict[str, float]] = {}
    for score in data["scores"]:
        cards.setdefault((score["judge_id"], score["enrolment"]), {})[score["criterion"]] = score["raw"]
    return cards


def build_board(
    cohort: Cohort,
    data: dict,
    *,
    normalised: bool,
    pass_threshold: float,
    distinction_threshold: float,
    snapshot: ResultSnapshot | None = None,
    open_scorecards=(),
    withdrawn=(),
) -> Board:
    """The rows of the results table: the stored results in the cohort's
    mode, beside the totals the other mode would give (computed from the
    same scores, for comparison; they decide nothing)."""
    finalist_ids = [entry["enrolment"] for entry in data["finalists"]]
    try:
        other = scoring.compute_results(
            criteria=_criterion_infos(data),
            finalists=finalist_ids,
            scorecards=_raw_scorecards(data),
            normalise_scores=not normalised,
            pass_threshold=pass_threshold,
            distinction_threshold=distinction_threshold,
        ).finalists
    except ValueError:  # scores that do not cover the criteria: no comparison
        other = {}
    award_keys = {key: set(data["awards"].get(key, [])) for key in AWARD_LABELS}
    rows = []
    for entry in data["finalists"]:
        pk = entry["enrolment"]
        used = Totals(entry["total"], entry["p_total"], entry["q_total"], entry["rank"], entry["level"])
        alternative = other.get(pk)
        other_totals = (
            Totals(alternative.total, alternative.p_total, alternative.q_total, alternative.rank, alternative.level)
            if alternative is not None
            else Totals()
        )
        rows.append(
            FinalistRow(
                enrolment=pk,
                organisation=entry["organisation"],
                judged=entry["judged"],
                judges=entry["judges"],
                used=used,
                other=other_totals,
                raw=other_totals if normalised else used,
                normalised=used if normalised else other_totals,
                means=entry["means"],
                other_means=alternative.means if alternative is not None else {},
                moderation=entry["moderation"],
                awards=[label for key, label in AWARD_LABELS.items() if pk in award_keys[key]],
                data=entry,
            )
        )
    rows.sort(key=lambda row: (not row.judged, row.used.rank or 0, row.organisation.lower()))
    return Board(
        cohort=cohort,
        data=data,
        normalised=normalised,
        pass_threshold=pass_threshold,
        distinction_threshold=distinction_threshold,
        rows=rows,
        snapshot=snapshot,
        open_scorecards=list(open_scorecards),
        withdrawn=list(withdrawn),
    )


def live_board(cohort: Cohort) -> Board:
    """The results as they would be if finalised now."""
    inputs = services.gather(cohort)
    results = services.compute(inputs, normalise_scores=cohort.normalise_scores)
    return build_board(
        cohort,
        services.snapshot_data(inputs, results),
        normalised=cohort.normalise_scores,
        pass_threshold=float(cohort.pass_threshold),
        distinction_threshold=float(cohort.distinction_threshold),
        open_scorecards=inputs.open_scorecards,
        withdrawn=inputs.withdrawn,
    )


def snapshot_board(cohort: Cohort, snapshot: ResultSnapshot) -> Board:
    """The results as frozen in the snapshot, with its own mode and thresholds."""
    settings = snapshot.settings
    withdrawn = [(w["judge"], w["organisation"], w["reason"]) for w in snapshot.data.get("withdrawn", [])]
    return build_board(
        cohort,
        snapshot.data,
        normalised=settings["normalise_scores"],
        pass_threshold=settings["pass_threshold"],
        distinction_threshold=settings["distinction_threshold"],
        snapshot=snapshot,
        open_scorecards=[(m["judge"], m["organisation"]) for m in snapshot.missing_scorecards],
        withdrawn=withdrawn,
    )


# Per-finalist details and judges' severity -----------------------------------


@dataclass(frozen=True)
class JudgeScore:
    raw: float
    normalised: float


def weight_text(weight: float) -> str:
    """1.5, not 1.50; 2, not 2.0 (as the framework pages show weights)."""
    return f"{weight:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class CriterionLine:
    code: str
    title: str
    pillar: str
    weight: float
    judging_only: bool
    mean: float | None
    other_mean: float | None
    spread: float | None
    flagged: bool
    scores: list[JudgeScore | None]
    comments: list[str]

    @property
    def weight_text(self) -> str:
        return weight_text(self.weight)


def finalist_lines(board: Board, row: FinalistRow) -> tuple[list[str], list[CriterionLine]]:
    """(the finalist's judges by name, a line per criterion with each judge's
    raw and normalised score, the means, the spread of raw scores and the
    moderation flag)."""
    scores = [s for s in board.data["scores"] if s["enrolment"] == row.enrolment]
    judges = sorted({s["judge_id"]: s["judge"] for s in scores}.items(), key=lambda item: (item[1].lower(), item[0]))
    order = {judge_id: position for position, (judge_id, _) in enumerate(judges)}
    by_criterion: dict[str, list[JudgeScore | None]] = {}
    for s in scores:
        cells = by_criterion.setdefault(s["criterion"], [None] * len(judges))
        cells[order[s["judge_id"]]] = JudgeScore(s["raw"], s["normalised"])
    comments = row.data.get("comments", {})
    lines = []
    for c in board.criteria:
        cells = by_criterion.get(c["code"], [None] * len(judges))
        raw = [cell.raw for cell in cells if cell is not None]
        lines.append(
            CriterionLine(
                code=c["code"],
                title=c["title"],
                pillar=c["pillar"],
                weight=c["weight"],
                judging_only=c["judging_only"],
                mean=row.means.get(c["code"]),
                other_mean=row.other_means.get(c["code"]),
                spread=(max(raw) - min(raw)) if raw else None,
                flagged=c["code"] in row.moderation,
                scores=cells,
                comments=sorted(comments.get(c["code"], []), key=str.lower),
            )
        )
    return [name for _, name in judges], lines


@dataclass(frozen=True)
class Severity:
    judge: str
    scores: int
    finalists: int
    mean: float
    spread: float
    difference: str  # the mean against the cohort's, signed


def judge_severity(board: Board) -> tuple[list[Severity], float | None, float | None]:
    """Each judge's mean and spread (population standard deviation) of raw
    scores against the cohort's, harshest first — as results.severity, but
    from the board's scores so that a final page reads the frozen ones."""
    by_judge: dict[int, tuple[str, list[float], set[int]]] = {}
    for s in board.data["scores"]:
        _, values, finalists = by_judge.setdefault(s["judge_id"], (s["judge"], [], set()))
        values.append(float(s["raw"]))
        finalists.add(s["enrolment"])
    everything = [value for _, values, _ in by_judge.values() for value in values]
    if not everything:
        return [], None, None
    cohort_mean = scoring.mean(everything)
    rows = [
        Severity(
            judge=name,
            scores=len(values),
            finalists=len(finalists),
            mean=scoring.mean(values),
            spread=scoring.population_sd(values),
            difference=signed(scoring.mean(values) - cohort_mean),
        )
        for name, values, finalists in by_judge.values()
    ]
    rows.sort(key=lambda row: (row.mean, row.judge.lower()))
    return rows, cohort_mean, scoring.population_sd(everything)


# Charts: the same pictures on the pages and in the award report ---------------------

RANK_LABELS_UP_TO = 25  # more finalists than this and rank labels crowd the scatter


def pillar_weights(criteria: list[dict]) -> tuple[float, float] | None:
    """(Σw of the P criteria, Σw of the Q ones), or None without both pillars."""
    p = sum(float(c["weight"]) for c in criteria if c["pillar"] == "P")
    q = sum(float(c["weight"]) for c in criteria if c["pillar"] == "Q")
    return (p, q) if p > 0 and q > 0 else None


def _placed(board: Board) -> list[FinalistRow]:
    """The judged finalists that have both a P and a Q total."""
    return [r for r in board.judged_rows if r.used.p_total is not None and r.used.q_total is not None]


def finalist_pq_charts(board: Board, rows: list[FinalistRow]) -> dict[int, str]:
    """The P&Q chart (results.charts.pq_charts) of each of `rows` that can be
    placed on it, by enrolment id: the cohort is drawn once for them all."""
    placed = _placed(board)
    position = {row.enrolment: n for n, row in enumerate(placed)}
    wanted = [row for row in rows if row.enrolment in position]
    if not wanted:
        return {}
    medians = cohort_medians(board.data)
    pictures = charts.pq_charts(
        [(row.used.p_total, row.used.q_total) for row in placed],
        [position[row.enrolment] for row in wanted],
        medians=(medians.p_total, medians.q_total),
        pillar_weights=pillar_weights(board.criteria),
        thresholds=[board.pass_threshold, board.distinction_threshold],
    )
    return {row.enrolment: picture for row, picture in zip(wanted, pictures, strict=True)}


def finalist_pq_alt(board: Board, row: FinalistRow) -> str:
    medians = cohort_medians(board.data)
    return (
        f"Scatter chart of the P total (across) against the Q total (up) of the {len(_placed(board))} judged "
        f"finalists, in the {board.mode}, with {row.organisation} marked at P "
        f"{scoring.round_half_up(row.used.p_total)}, Q {scoring.round_half_up(row.used.q_total)}. Dotted lines: the "
        f"cohort medians, P {scoring.round_half_up(medians.p_total)} and Q {scoring.round_half_up(medians.q_total)}. "
        f"Dashed lines: where the total reaches {scoring.round_half_up(board.pass_threshold)} (accredited) and "
        f"{scoring.round_half_up(board.distinction_threshold)} (distinction)."
    )


def totals_chart(board: Board) -> str | None:
    rows = board.judged_rows
    if not rows:
        return None
    return charts.totals_distribution_chart(
        [row.used.total for row in rows],
        [row.used.level for row in rows],
        pass_threshold=board.pass_threshold,
        distinction_threshold=board.distinction_threshold,
        title=f"Distribution of totals ({board.mode})",
    )


def totals_alt(board: Board) -> str:
    rows = board.judged_rows
    counts = {level: sum(1 for row in rows if row.used.level == level) for level in services.LEVEL_LABELS}
    return (
        f"Dot plot of the totals of the {len(rows)} judged finalists on 0 to 100 ({board.mode}), one dot each, "
        f"with the thresholds marked: {counts[scoring.DISTINCTION]} accredited with distinction (from "
        f"{scoring.round_half_up(board.distinction_threshold)}), {counts[scoring.ACCREDITED]} accredited (from "
        f"{scoring.round_half_up(board.pass_threshold)}), {counts[scoring.NOT_ACCREDITED]} not accredited."
    )


def calibration_points(board: Board) -> list[tuple[FinalistRow, float, float]]:
    """(row, self-assessment index, judged total over the same criteria) for
    each judged finalist whose self-assessment gave every level."""
    points = []
    for row in board.judged_rows:
        index, judged = self_and_judged(board.data, row.data, row.data.get("self_levels") or {})
        if index is not None and judged is not None:
            points.append((row, index, judged))
    return points


def self_assessed_chart(board: Board) -> str | None:
    points = calibration_points(board)
    if not points:
        return None
    return charts.self_assessed_vs_judged_chart(
        [(index, judged) for _, index, judged in points],
        [str(row.used.rank) for row, _, _ in points] if len(points) <= RANK_LABELS_UP_TO else [],
        title=f"Self-assessment index against the judged total ({board.mode})",
    )


def self_assessed_alt(board: Board) -> str:
    points = calibration_points(board)
    higher = sum(1 for _, index, judged in points if judged > index)
    return (
        f"Scatter chart, one dot per finalist, of the self-assessment index (across) against the judges' total "
        f"over the same criteria (up), both 0 to 100, in the {board.mode}"
        + (", each dot labelled with the finalist's rank" if len(points) <= RANK_LABELS_UP_TO else "")
        + f". {higher} of {len(points)} finalists lie above the diagonal: the judges scored them higher "
        "than they rated themselves."
    )


# The organisation's results ---------------------------------------------------

OUTCOME_MESSAGES = {
    EnrolmentStatus.ACCREDITED_DISTINCTION: "Congratulations: your organisation is accredited with distinction.",
    EnrolmentStatus.ACCREDITED: "Congratulations: your organisation is accredited.",
    EnrolmentStatus.NOT_ACCREDITED: (
        "Your organisation did not reach the accreditation threshold this time. "
        "The judges' scores and comments below show where to focus next."
    ),
    EnrolmentStatus.NOT_JUDGED: (
        "Your organisation was a finalist, but no judge's scorecard for it was submitted, "
        "so it has no result. The programme lead will be in touch."
    ),
    EnrolmentStatus.NOT_SHORTLISTED: (
        "Your organisation was not shortlisted for judging in this cohort. Thank you for taking part "
        "and for the work that went into your self-assessment: it remains a picture of where you stand "
        "and a starting point for your next steps."
    ),
    EnrolmentStatus.WITHDRAWN: "Your organisation withdrew from this cohort.",
}


@dataclass(frozen=True)
class OrganisationLine:
    code: str
    title: str
    judging_only: bool
    score: float | None
    median: float | None
    against_median: str
    level: int | None
    self_value: float | None
    gap: float | None
    gap_text: str


@dataclass
class OrganisationResult:
    enrolment: Enrolment
    snapshot: ResultSnapshot
    outcome: str
    outcome_label: str
    message: str
    normalised: bool
    entry: dict | None = None
    awards: list[str] = field(default_factory=list)
    rank_text: str = ""
    finalists: int = 0  # judged ones, for the medians
    medians: Totals | None = None
    lines: list[OrganisationLine] = field(default_factory=list)
    index: float | None = None
    judged_same_criteria: float | None = None
    comments: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return mode_words(self.normalised)

    @property
    def is_judged(self) -> bool:
        return bool(self.entry and self.entry["judged"])

    @property
    def strengths(self) -> list[str]:
        # In no particular judge's order, so that remarks cannot be matched up.
        return sorted(self.entry.get("strengths", []), key=str.lower) if self.entry else []

    @property
    def improvements(self) -> list[str]:
        return sorted(self.entry.get("improvements", []), key=str.lower) if self.entry else []

    @property
    def gap_lines(self) -> list[OrganisationLine]:
        return [line for line in self.lines if line.gap is not None]


def _median_of(entries: list[dict], key: str) -> float | None:
    return scoring.median([e[key] for e in entries if e.get(key) is not None])


def organisation_result(enrolment: Enrolment, snapshot: ResultSnapshot, levels: dict[str, int | None]):
    """What the organisation sees, from the frozen snapshot and its own
    self-assessed levels. No judge's name is in it."""
    data, normalised = snapshot.data, snapshot.settings["normalise_scores"]
    entry = next((e for e in data["finalists"] if e["enrolment"] == enrolment.pk), None)
    if entry is not None:
        outcome = entry["level"]
    elif enrolment.status == EnrolmentStatus.WITHDRAWN:
        outcome = EnrolmentStatus.WITHDRAWN
    else:
        outcome = EnrolmentStatus.NOT_SHORTLISTED
    result = OrganisationResult(
        enrolment=enrolment,
        snapshot=snapshot,
        outcome=outcome,
        outcome_label=EnrolmentStatus(outcome).label,
        message=OUTCOME_MESSAGES[outcome],
        normalised=normalised,
        entry=entry,
    )
    if not result.is_judged:
        return result
    judged = [e for e in data["finalists"] if e["judged"]]
    result.awards = [label for key, label in AWARD_LABELS.items() if enrolment.pk in data["awards"].get(key, [])]
    result.finalists = len(judged)
    sharing = sum(1 for e in judged if e["rank"] == entry["rank"])
    everyone_judged = len(judged) == len(data["finalists"])
    result.rank_text = (
        f"{'Joint ' if sharing > 1 else ''}{ordinal(entry['rank'])} of {len(judged)} "
        f"{'' if everyone_judged else 'judged '}finalist{'s' if len(judged) != 1 else ''}"
    )
    result.medians = cohort_medians(data)
    result.lines = criterion_lines(data, entry, levels)
    for c in data["criteria"]:
        texts = sorted(entry.get("comments", {}).get(c["code"], []), key=str.lower)
        if texts:
            result.comments.append((c["code"], c["title"], texts))
    result.index, result.judged_same_criteria = self_and_judged(data, entry, levels)
    return result


def cohort_medians(data: dict) -> Totals:
    """The medians of the judged finalists' totals, P and Q totals."""
    judged = [e for e in data["finalists"] if e["judged"]]
    return Totals(_median_of(judged, "total"), _median_of(judged, "p_total"), _median_of(judged, "q_total"))


def criterion_lines(data: dict, entry: dict, levels: dict[str, int | None]) -> list[OrganisationLine]:
    """A judged finalist's score per criterion against the judged finalists'
    median, and its calibration gap where it gave a self-assessed level."""
    judged = [e for e in data["finalists"] if e["judged"]]
    self_assessed = [c for c in data["criteria"] if not c["judging_only"]]
    self_levels = {c["code"]: levels[c["code"]] for c in self_assessed if levels.get(c["code"])}
    gaps = scoring.calibration_gaps(entry["means"], self_levels)
    lines = []
    for c in data["criteria"]:
        code = c["code"]
        score = entry["means"].get(code)
        median = scoring.median([e["means"][code] for e in judged if code in e["means"]])
        level = self_levels.get(code)
        gap = gaps.get(code)
        lines.append(
            OrganisationLine(
                code=code,
                title=c["title"],
                judging_only=c["judging_only"],
                score=score,
                median=median,
                against_median=signed(score - median) if score is not None and median is not None else "",
                level=level,
                self_value=scoring.level_to_score(level) if level else None,
                gap=gap,
                gap_text=signed(gap),
            )
        )
    return lines


def self_and_judged(data: dict, entry: dict, levels: dict[str, int | None]) -> tuple[float | None, float | None]:
    """The self-assessment index and the judges' total over the same
    criteria, the ones that are not judging-only (scoring point 7); None
    where a level or a score is missing."""
    weights = {c["code"]: float(c["weight"]) for c in data["criteria"] if not c["judging_only"]}
    index = scoring.self_assessment_index(levels, weights)
    judged = None
    if weights and all(code in entry["means"] for code in weights):
        judged = scoring.weighted_total(entry["means"], weights)
    return index, judged


def _levels_by_enrolment(enrolments) -> dict[int, dict[str, int | None]]:
    levels: dict[int, dict[str, int | None]] = {e.pk: {} for e in enrolments}
    for enrolment_id, code, level in Response.objects.filter(
        assessment__enrolment__in=[e.pk for e in enrolments]
    ).values_list("assessment__enrolment_id", "criterion__code", "level"):
        levels[enrolment_id][code] = level
    return levels


def self_levels(snapshot: ResultSnapshot, enrolments) -> dict[int, dict[str, int | None]]:
    """Each enrolment's self-assessed levels: as frozen in the snapshot for
    its finalists, read from the self-assessments for the others (and for
    snapshots made before levels were frozen)."""
    frozen = {entry["enrolment"]: entry.get("self_levels") for entry in snapshot.data["finalists"]}
    live = _levels_by_enrolment([e for e in enrolments if frozen.get(e.pk) is None])
    return {e.pk: frozen[e.pk] if frozen.get(e.pk) is not None else live[e.pk] for e in enrolments}


def organisation_results(snapshot: ResultSnapshot, enrolments) -> list[OrganisationResult]:
    """organisation_result for each enrolment, in one query at most."""
    levels = self_levels(snapshot, enrolments)
    return [organisation_result(e, snapshot, levels[e.pk]) for e in enrolments]


def organisation_scores_chart(result: OrganisationResult) -> str:
    """The organisation's score per criterion against the cohort median."""
    return charts.scores_against_median_chart(
        [f"{line.code} {line.title}" for line in result.lines],
        [line.score for line in result.lines],
        [line.median for line in result.lines],
        title=f"Your scores against the cohort median ({result.mode})",
    )


def organisation_calibration_chart(result: OrganisationResult) -> str | None:
    """The organisation's calibration gap per self-assessed criterion, or
    None where it gave no level on any criterion."""
    lines = result.gap_lines
    if not lines:
        return None
    return charts.calibration_gaps_chart(
        [f"{line.code} {line.title}" for line in lines],
        [line.gap for line in lines],
        title=f"Calibration gap ({result.mode}): judges' score minus self-assessment",
    )


SCORES_CHART_ALT = (
    "Bar chart of your score on each criterion, 0 to 10, with the cohort median marked; "
    "the same values are in the table."
)
CALIBRATION_CHART_ALT = (
    "Bar chart of the calibration gap on each self-assessed criterion: bars to the right where the judges "
    "scored higher than your self-assessment, to the left where they scored lower; the same values are in the table."
)
