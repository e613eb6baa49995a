"""Results pages: the lead's preview (or the frozen results once final),
per-finalist details and charts, finalising, reopening and CSV exports; and
each organisation's own results once they are final.

What the pages show is built in cohorts.results_display, from one dictionary
shaped like ResultSnapshot.data (the frozen one once final, the live
computation before), which the PDF reports use too."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from accounts.rules import is_organisation_member, is_programme_lead
from cohorts.models import Cohort, Enrolment, Phase
from cohorts.views.programme import CohortMixin
from core.csvs import csv_response
from core.errors import ServiceError
from organisations.models import Membership
from results import scoring, services
from results.forms import FinaliseForm, ReopenForm
from results.models import ResultSnapshot
from results.presenters import (
    Board,
    OrganisationResult,
    calibration_points,
    finalist_lines,
    finalist_pq_alt,
    finalist_pq_charts,
    judge_severity,
    live_board,
    organisation_calibration_chart,
    organisation_results,
    organisation_scores_chart,
    self_assessed_alt,
    self_assessed_chart,
    snapshot_board,
    totals_alt,
    totals_chart,
)

PREVIEW_PHASES = (Phase.JUDGING, Phase.RESULTS, Phase.CLOSED)


# The lead's pages --------------------------------------------------------------


def _digest(open_scorecards) -> str:
    text = "\n".join(sorted(f"{judge}\t{organisation}" for judge, organisation in open_scorecards))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class BoardMixin(CohortMixin):
    """The board the lead asked for: ?snapshot=N for an earlier snapshot;
    otherwise the final snapshot if there is one, else the live preview."""

    def get_board(self) -> Board | None:
        cohort = self.cohort
        number = self.request.GET.get("snapshot")
        if number:
            if not (number.isascii() and number.isdigit()):  # "²" is a digit to isdigit(), not to int()
                raise Http404
            snapshot = get_object_or_404(
                ResultSnapshot.objects.select_related("finalised_by", "superseded_by"), cohort=cohort, number=number
            )
            return snapshot_board(cohort, snapshot)
        snapshot = (
            ResultSnapshot.objects.select_related("finalised_by")
            .filter(cohort=cohort, status=ResultSnapshot.Status.FINAL)
            .first()
        )
        if snapshot is not None:
            return snapshot_board(cohort, snapshot)
        if cohort.phase in PREVIEW_PHASES:
            return live_board(cohort)
        return None


class ResultsView(BoardMixin, TemplateView):
    """The lead's results: the live preview while judging, the frozen
    snapshot once final."""

    template_name = "results/preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = self.get_board()
        superseded = (
            ResultSnapshot.objects.filter(cohort=self.cohort, status=ResultSnapshot.Status.SUPERSEDED)
            .select_related("finalised_by", "superseded_by")
            .defer("data")
            .order_by("-number")
        )
        context.update(board=board, snapshots=list(superseded))
        if board is None:
            return context
        severity, cohort_mean, cohort_spread = judge_severity(board)
        is_current = board.is_live or board.snapshot.status == ResultSnapshot.Status.FINAL
        context.update(
            severity=severity,
            cohort_mean=cohort_mean,
            cohort_spread=cohort_spread,
            query="" if is_current else f"?snapshot={board.snapshot.number}",
            superseded_here="" if is_current else f"Results {board.snapshot.number} (superseded)",
            can_finalise=board.is_live and self.cohort.phase == Phase.JUDGING,
            can_reopen=not board.is_live and is_current and self.cohort.phase == Phase.RESULTS,
            finalise_form=FinaliseForm(initial={"open_seen": _digest(board.open_scorecards)}),
            reopen_form=ReopenForm(),
            flagged=sum(1 for row in board.rows if row.moderation),
            totals_alt=totals_alt(board) if board.judged_rows else "",
            calibration_alt=self_assessed_alt(board) if calibration_points(board) else "",
        )
        return context


class FinalistResultsView(BoardMixin, TemplateView):
    template_name = "results/finalist.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = self.get_board()
        row = board.row(self.kwargs["pk"]) if board else None
        if row is None:
            raise Http404
        judges, lines = finalist_lines(board, row)
        is_current = board.is_live or board.snapshot.status == ResultSnapshot.Status.FINAL
        context.update(
            board=board,
            row=row,
            judges=judges,
            lines=lines,
            query="" if is_current else f"?snapshot={board.snapshot.number}",
            chart_alt=finalist_pq_alt(board, row) if row.judged and row.used.p_total is not None else "",
        )
        return context


def _svg(svg: str) -> HttpResponse:
    answer = HttpResponse(svg, content_type="image/svg+xml")
    answer["Cache-Control"] = "private, no-cache"
    return answer


@method_decorator(csp_exempt(), name="dispatch")
class FinalistChartView(BoardMixin, View):
    """A finalist's P&Q chart as SVG, for the <img> on the lead's finalist page."""

    def get(self, request, *args, **kwargs):
        board = self.get_board()
        row = board.row(kwargs["pk"]) if board else None
        if row is None:
            raise Http404
        svg = finalist_pq_charts(board, [row]).get(row.enrolment)
        if svg is None:
            raise Http404
        return _svg(svg)


@method_decorator(csp_exempt(), name="dispatch")
class CohortChartView(BoardMixin, View):
    """The cohort's charts as SVG, for the <img> on the lead's results page:
    the distribution of totals, and the self-assessment index against the
    judged total."""

    charts = {"totals": totals_chart, "calibration": self_assessed_chart}

    def get(self, request, *args, **kwargs):
        draw = self.charts.get(kwargs["chart"])
        board = self.get_board() if draw else None
        svg = draw(board) if board else None
        if svg is None:
            raise Http404
        return _svg(svg)


class FinaliseView(CohortMixin, View):
    def post(self, request, *args, **kwargs):
        form = FinaliseForm(request.POST)
        form.is_valid()
        confirm = form.cleaned_data.get("confirm_missing", False)
        if confirm:
            open_now = services.gather(self.cohort).open_scorecards
            if _digest(open_now) != form.cleaned_data.get("open_seen"):
                messages.error(
                    request,
                    "The scorecards that are still open changed since this page was loaded. "
                    "Check the list below and confirm again.",
                )
                return redirect("results:cohort", number=self.cohort.number)
        try:
            snapshot = services.finalise(cohort=self.cohort, actor=request.user, confirm_missing=confirm)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            missing = len(snapshot.missing_scorecards)
            messages.success(
                request,
                f"The results of cohort {self.cohort.number} are final (results {snapshot.number})"
                + (f", without {missing} open scorecard{'s' if missing != 1 else ''}" if missing else "")
                + ". Each organisation's members were told their outcome by e-mail.",
            )
        return redirect("results:cohort", number=self.cohort.number)


class ReopenView(CohortMixin, View):
    def post(self, request, *args, **kwargs):
        form = ReopenForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["reason"]))
            return redirect("results:cohort", number=self.cohort.number)
        try:
            snapshot = services.reopen(cohort=self.cohort, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"The results were reopened: results {snapshot.number} is kept as superseded, "
                f"and cohort {self.cohort.number} is back in judging.",
            )
        return redirect("results:cohort", number=self.cohort.number)


# CSV exports ---------------------------------------------------------------------

RESULTS_COLUMNS = ["Rank", "Organisation", "Total", "P total", "Q total", "Level", "Awards", "Scores"]
SCORES_COLUMNS = ["Judge", "Organisation", "Criterion", "Raw", "Normalised"]


def _two_places(value: float | None) -> Decimal | str:
    return "" if value is None else scoring.round_half_up(value, 2)


class CsvMixin(BoardMixin, View):
    kind = ""

    def get(self, request, *args, **kwargs):
        board = self.get_board()
        if board is None:
            raise Http404
        if board.is_live:
            suffix = "-preview"
        elif board.snapshot.status == ResultSnapshot.Status.SUPERSEDED:
            suffix = f"-superseded-{board.snapshot.number}"
        else:
            suffix = ""
        return csv_response(f"cohort-{self.cohort.number}-{self.kind}{suffix}.csv", self.lines(board))


class ResultsCsvView(CsvMixin):
    """One row per finalist: totals rounded half up to two decimals, in the
    cohort's mode (said in the last column)."""

    kind = "results"

    def lines(self, board: Board):
        yield RESULTS_COLUMNS
        for row in board.rows:
            yield [
                row.used.rank or "",
                row.organisation,
                _two_places(row.used.total),
                _two_places(row.used.p_total),
                _two_places(row.used.q_total),
                row.used.level_label,
                "; ".join(row.awards),
                "normalised" if board.normalised else "raw",
            ]


class ScoresCsvView(CsvMixin):
    """One row per judge × finalist × criterion, the normalised score unrounded."""

    kind = "scores"

    def lines(self, board: Board):
        yield SCORES_COLUMNS
        names = {row.enrolment: row.organisation for row in board.rows}
        position = {c["code"]: n for n, c in enumerate(board.criteria)}
        scores = sorted(
            board.data["scores"],
            key=lambda s: (
                names.get(s["enrolment"], "").lower(),
                s["judge"].lower(),
                s["judge_id"],
                position.get(s["criterion"], len(position)),
            ),
        )
        for s in scores:
            yield [
                s["judge"],
                names.get(s["enrolment"], ""),
                s["criterion"],
                s["raw"],
                float(s["normalised"]),
            ]


def _refuse(user):
    """Someone who may not see an organisation's results: members of other
    organisations are told it does not exist; anyone else, that it is not for them."""
    if is_organisation_member(user):
        raise Http404
    raise PermissionDenied


class OrganisationMixin(LoginRequiredMixin):
    """The cohort (404 if unknown) and the enrolments the user may see here."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.cohort = get_object_or_404(Cohort, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def results_for(self, enrolments) -> list[OrganisationResult]:
        snapshot = services.final_snapshot(self.cohort)
        if snapshot is None:
            return []
        return organisation_results(snapshot, enrolments)

    def one_enrolment(self) -> Enrolment:
        user = self.request.user
        if not (is_programme_lead(user) or is_organisation_member(user)):
            raise PermissionDenied  # before the lookup, so that enrolment ids cannot be probed
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("organisation"), pk=self.kwargs["pk"], cohort=self.cohort
        )
        if not self.request.user.has_perm("organisations.view_organisation_page", enrolment.organisation):
            _refuse(self.request.user)
        return enrolment


class MyResultsView(OrganisationMixin, TemplateView):
    """The results of each of the user's organisations in the cohort."""

    template_name = "results/organisation.html"

    def get(self, request, *args, **kwargs):
        organisation_ids = Membership.objects.active().filter(user=request.user).values("organisation_id")
        self.enrolments = list(
            self.cohort.enrolments.filter(organisation_id__in=organisation_ids).select_related("organisation")
        )
        if not self.enrolments:
            if is_programme_lead(request.user):
                return redirect("results:cohort", number=self.cohort.number)
            _refuse(request.user)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        results = self.results_for(self.enrolments)
        return super().get_context_data(
            cohort=self.cohort, results=results, enrolments=self.enrolments, as_lead=False, **kwargs
        )


class OrganisationResultsView(OrganisationMixin, TemplateView):
    """One organisation's results: for its members, and for the lead (to see
    what the organisation sees)."""

    template_name = "results/organisation.html"

    def get_context_data(self, **kwargs):
        enrolment = self.one_enrolment()
        return super().get_context_data(
            cohort=self.cohort,
            results=self.results_for([enrolment]),
            enrolments=[enrolment],
            as_lead=is_programme_lead(self.request.user),
            **kwargs,
        )


@method_decorator(csp_exempt(), name="dispatch")
class OrganisationChartView(OrganisationMixin, View):
    """The organisation's charts as SVG, shown with <img> on its page."""

    def get(self, request, *args, **kwargs):
        if kwargs["chart"] not in ("calibration", "scores"):
            raise Http404
        enrolment = self.one_enrolment()
        [result] = self.results_for([enrolment]) or [None]
        if result is None or not result.is_judged:
            raise Http404
        if kwargs["chart"] == "calibration":
            svg = organisation_calibration_chart(result)
            if svg is None:
                raise Http404
        else:
            svg = organisation_scores_chart(result)
        return _svg(svg)
