"""The award report (a cohort's, for the lead and the sponsor) and the
feedback report (an organisation's, for its members) as PDFs.

Both are built only from a frozen ResultSnapshot, through the functions the
results pages use (cohorts.results_display), so that a report says what
the pages say and never recomputes a result. The award report may name the
judges, as the lead's pages do; the feedback report names none, as the
organisation's page does not.

Speed: a cohort of fifty finalists must render in a few seconds, so the
report is laid out as pages and blocks with short tables (WeasyPrint is
slowest on long tables that break across pages), and the P&Q chart draws
the cohort once for every finalist (results_display.finalist_pq_charts)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import Truncator

from cohorts.models import Enrolment, EnrolmentStatus
from documents.rendering import render_pdf, svg_data_uri
from results import scoring
from results.models import ResultSnapshot
from results.presenters import (
    CALIBRATION_CHART_ALT,
    SCORES_CHART_ALT,
    Board,
    CriterionLine,
    FinalistRow,
    OrganisationLine,
    calibration_points,
    cohort_medians,
    criterion_lines,
    finalist_lines,
    finalist_pq_alt,
    finalist_pq_charts,
    judge_severity,
    mode_words,
    organisation_calibration_chart,
    organisation_results,
    organisation_scores_chart,
    pillar_weights,
    self_and_judged,
    self_assessed_alt,
    self_assessed_chart,
    snapshot_board,
    totals_alt,
    totals_chart,
    weight_text,
)

PROGRAMME = "P&Q accreditation programme"
STYLES = ("report.css",)
RANKING_ROWS_PER_TABLE = 25  # a table that fits on one page: no table breaks across pages
HEADER_NAME_LENGTH = 70  # the cohort's name in the running header, shortened past this

SUBMITTED_STATUSES = {
    EnrolmentStatus.SUBMITTED,
    EnrolmentStatus.FINALIST,
    EnrolmentStatus.ACCREDITED_DISTINCTION,
    EnrolmentStatus.ACCREDITED,
    EnrolmentStatus.NOT_ACCREDITED,
    EnrolmentStatus.NOT_JUDGED,
    EnrolmentStatus.NOT_SHORTLISTED,
}


def _header(cohort) -> str:
    return Truncator(f"Cohort {cohort.number}: {cohort.name}").chars(HEADER_NAME_LENGTH)


def _finalised_on(snapshot: ResultSnapshot) -> str:
    return f"{timezone.localtime(snapshot.finalised_at, snapshot.cohort.zone):%-d %B %Y}"


def _settings_words(snapshot: ResultSnapshot) -> dict:
    settings = snapshot.settings
    return {
        "normalised": settings["normalise_scores"],
        "mode": mode_words(settings["normalise_scores"]),
        "pass_threshold": settings["pass_threshold"],
        "distinction_threshold": settings["distinction_threshold"],
        "judges_per_finalist": settings.get("judges_per_finalist"),
        "framework": settings.get("framework") or str(snapshot.cohort.framework or ""),
    }


# The award report ------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    enrolled: int
    withdrawn: int
    submitted: int
    finalists: int
    judged: int
    judges: int
    scorecards: int
    missing: list[tuple[str, str]]
    withdrawn_scorecards: list[tuple[str, str, str]]


def cohort_facts(snapshot: ResultSnapshot, board: Board) -> Facts:
    """The cohort as it stood when the results were finalised: the
    enrolments' statuses then (frozen in the snapshot), the scorecards counted."""
    before = snapshot.data.get("statuses_before")
    if before is not None:
        statuses = Counter(before.values())
    else:  # a snapshot from before statuses were frozen: the enrolments as they are now
        statuses = Counter(snapshot.cohort.enrolments.values_list("status", flat=True))
    scores = board.data["scores"]
    return Facts(
        enrolled=sum(n for status, n in statuses.items() if status not in (EnrolmentStatus.APPLIED,)),
        withdrawn=statuses.get(EnrolmentStatus.WITHDRAWN, 0),
        submitted=sum(n for status, n in statuses.items() if status in SUBMITTED_STATUSES),
        finalists=len(board.rows),
        judged=len(board.judged_rows),
        judges=len({s["judge_id"] for s in scores}),
        scorecards=len({(s["judge_id"], s["enrolment"]) for s in scores}),
        missing=list(board.open_scorecards),
        withdrawn_scorecards=list(board.withdrawn),
    )


@dataclass(frozen=True)
class ReportLine:
    """A criterion on a finalist's page: the lead's line (mean, spread,
    moderation flag) beside the organisation's (median, calibration gap)."""

    lead: CriterionLine
    organisation: OrganisationLine


@dataclass
class FinalistPage:
    row: FinalistRow
    judges: list[str]
    lines: list[ReportLine]
    comments: list[tuple[str, str, list[str]]]
    strengths: list[str]
    improvements: list[str]
    index: float | None
    judged_same_criteria: float | None
    chart: str | None
    chart_alt: str

    @property
    def anchor(self) -> str:
        return f"finalist-{self.row.enrolment}"


def finalist_pages(board: Board) -> list[FinalistPage]:
    charts = finalist_pq_charts(board, board.rows)
    pages = []
    for row in board.rows:
        judges, lead_lines = finalist_lines(board, row)
        levels = row.data.get("self_levels") or {}
        index, judged_same = (None, None)
        lines = []
        if row.judged:
            organisation_lines = criterion_lines(board.data, row.data, levels)
            lines = [ReportLine(a, b) for a, b in zip(lead_lines, organisation_lines, strict=True)]
            index, judged_same = self_and_judged(board.data, row.data, levels)
        chart = charts.get(row.enrolment)
        pages.append(
            FinalistPage(
                row=row,
                judges=judges,
                lines=lines,
                comments=[(line.code, line.title, line.comments) for line in lead_lines if line.comments],
                # In no particular judge's order, as the organisation's page lists them.
                strengths=sorted(row.data.get("strengths", []), key=str.lower),
                improvements=sorted(row.data.get("improvements", []), key=str.lower),
                index=index,
                judged_same_criteria=judged_same,
                chart=svg_data_uri(chart) if chart else None,
                chart_alt=finalist_pq_alt(board, row) if chart else "",
            )
        )
    return pages


def _chunks(rows: list, size: int) -> list[list]:
    return [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]


def award_report_context(snapshot: ResultSnapshot) -> dict:
    cohort = snapshot.cohort
    board = snapshot_board(cohort, snapshot)
    severity, cohort_mean, cohort_spread = judge_severity(board)
    totals = totals_chart(board)
    calibration = self_assessed_chart(board)
    weights = pillar_weights(board.criteria)
    return {
        "programme": PROGRAMME,
        "title": f"Award report: cohort {cohort.number}",
        "header": _header(cohort),
        "cohort": cohort,
        "snapshot": snapshot,
        "finalised_on": _finalised_on(snapshot),
        "settings": _settings_words(snapshot),
        "board": board,
        "facts": cohort_facts(snapshot, board),
        "criteria": [{**c, "weight_text": weight_text(c["weight"])} for c in board.criteria],
        "pillar_weights": [weight_text(w) for w in weights] if weights else None,
        "medians": cohort_medians(board.data),
        "ranking": _chunks(board.rows, RANKING_ROWS_PER_TABLE),
        "awards": board.awards(),
        "severity": severity,
        "cohort_mean": cohort_mean,
        "cohort_spread": cohort_spread,
        "totals_chart": svg_data_uri(totals) if totals else None,
        "totals_alt": totals_alt(board) if totals else "",
        "calibration_chart": svg_data_uri(calibration) if calibration else None,
        "calibration_alt": self_assessed_alt(board) if calibration else "",
        "calibration_points": len(calibration_points(board)),
        "finalists": finalist_pages(board),
        "moderation_spread": scoring.MODERATION_SPREAD,
    }


def award_report_pdf(snapshot: ResultSnapshot) -> bytes:
    """The cohort's award report (A4 portrait) from the frozen snapshot:
    cover, contents, cohort facts, the method with the settings used, the
    ranking, the cohort's charts and a page per finalist."""
    return render_pdf("documents/award_report.html", award_report_context(snapshot), styles=STYLES)


# The feedback report ---------------------------------------------------------------


def feedback_report_context(snapshot: ResultSnapshot, enrolment: Enrolment) -> dict:
    cohort = snapshot.cohort
    [result] = organisation_results(snapshot, [enrolment])
    scores = calibration = None
    if result.is_judged:
        scores = organisation_scores_chart(result)
        calibration = organisation_calibration_chart(result)
    return {
        "programme": PROGRAMME,
        "title": f"Feedback report: {enrolment.organisation.name}",
        "header": _header(cohort),
        "cohort": cohort,
        "snapshot": snapshot,
        "finalised_on": _finalised_on(snapshot),
        "settings": _settings_words(snapshot),
        "organisation": enrolment.organisation,
        "result": result,
        "scores_chart": svg_data_uri(scores) if scores else None,
        "scores_alt": SCORES_CHART_ALT,
        "calibration_chart": svg_data_uri(calibration) if calibration else None,
        "calibration_alt": CALIBRATION_CHART_ALT,
    }


def feedback_report_pdf(snapshot: ResultSnapshot, enrolment: Enrolment) -> bytes:
    """An organisation's feedback report (A4 portrait) from the frozen
    snapshot: its outcome, its scores against the cohort median, its
    calibration gap and the judges' remarks, without any judge's name. An
    organisation without a result gets its outcome and the message its
    results page shows."""
    return render_pdf("documents/feedback_report.html", feedback_report_context(snapshot, enrolment), styles=STYLES)
