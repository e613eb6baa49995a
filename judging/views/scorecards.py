"""The judges' pages: the list of their finalists, the scorecard with
autosave (as the self-assessment), review and submit; and the lead's
unlock.

A judge who may not judge a finalist (not assigned, conflicted, removed
from the panel) gets a 404, so that whether an assignment exists does not
leak."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from assessments.models import Response, SelfAssessment
from assessments.selectors import assessment_with_answers
from assessments.services.self_assessment import format_kpi
from cohorts import timeline
from core import autosave, trail
from core.errors import ServiceError
from frameworks.models import Criterion
from judging import pending as pending_scores
from judging.models import Assignment, Scorecard, ScoreEntry
from judging.selectors import assignments_judged_by
from judging.services import scorecards as services

SCORES = range(11)


def _assignment_for(request, assignment_pk: int) -> Assignment:
    """The user's assignment, if they may judge its finalist; 404 otherwise."""
    assignment = get_object_or_404(
        Assignment.objects.active().select_related("cohort__framework", "enrolment__organisation", "judge"),
        pk=assignment_pk,
        judge=request.user,
    )
    if not request.user.has_perm("judging.judge_finalist", assignment.enrolment):
        raise Http404
    return assignment


def _progress(entries) -> dict:
    done = sum(1 for entry in entries if entry.score is not None)
    return {"done": done, "total": len(entries), "complete": bool(entries) and done == len(entries)}


def _entries(scorecard: Scorecard) -> list[ScoreEntry]:
    return list(scorecard.entries.select_related("criterion").order_by("criterion__position", "criterion__code"))


def _deadline(cohort):
    deadline = cohort.judging_deadline
    return deadline.astimezone(cohort.zone) if deadline else None


class ScorecardListView(PermissionRequiredMixin, TemplateView):
    """The judge's working list: every finalist they judge in cohorts now
    in judging, with each scorecard's progress and the judging deadline."""

    permission_required = "accounts.view_judge_dashboard"
    template_name = "judging/scorecards/list.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        groups: dict[int, dict] = {}
        for assignment in assignments_judged_by(self.request.user):
            cohort = assignment.cohort
            if cohort.pk not in groups:
                deadline = _deadline(cohort)
                groups[cohort.pk] = {
                    "cohort": cohort,
                    "deadline": deadline,
                    "deadline_in": timeline.describe_remaining(now, deadline) if deadline else None,
                    "deadline_passed": bool(deadline and deadline < now),
                    "rows": [],
                    "submitted": 0,
                }
            scorecard = getattr(assignment, "scorecard", None)
            status = scorecard.status if scorecard else None
            groups[cohort.pk]["rows"].append({"assignment": assignment, "scorecard": scorecard, "status": status})
            groups[cohort.pk]["submitted"] += int(status == Scorecard.Status.SUBMITTED)
        return {**super().get_context_data(**kwargs), "groups": list(groups.values())}


@dataclass(frozen=True)
class CriterionRow:
    entry: ScoreEntry
    criterion: Criterion
    answer: Response | None  # the organisation's submitted answer; None for judging-only criteria

    @property
    def kpis(self) -> list[tuple]:
        """(KPI, the organisation's value as text, "" when not given), from the prefetched answer."""
        if self.answer is None:
            return []
        values = {value.kpi_id: value.value for value in self.answer.kpi_values.all()}
        return [(kpi, format_kpi(values.get(kpi.pk))) for kpi in self.answer.criterion.kpis.all()]


class ScorecardMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.assignment = _assignment_for(request, kwargs["assignment_pk"])
        # Reading a scorecard must not write: create it only the first time.
        existing = Scorecard.objects.filter(assignment=self.assignment).first()
        self.scorecard = existing if existing is not None else services.ensure_scorecard(assignment=self.assignment)
        self.scorecard.assignment = self.assignment
        return super().dispatch(request, *args, **kwargs)

    def common_context(self, entries):
        assignment, scorecard = self.assignment, self.scorecard
        refusal = services.edit_refusal(scorecard, actor=self.request.user)
        return {
            "assignment": assignment,
            "scorecard": scorecard,
            "cohort": assignment.cohort,
            "organisation": assignment.enrolment.organisation,
            "entries": entries,
            "progress": _progress(entries),
            "refusal": refusal,
            "can_edit": refusal is None,
            "deadline": _deadline(assignment.cohort),
        }


class ScorecardView(ScorecardMixin, TemplateView):
    """The finalist's submitted self-assessment beside the judge's scores:
    per criterion the rubric, a score 0–10 and a comment; then the overall
    strengths and areas to improve."""

    template_name = "judging/scorecards/scorecard.html"

    def get(self, request, *args, **kwargs):
        outcomes = pending_scores.apply_for(request, self.scorecard)
        for outcome in outcomes:
            messages.add_message(request, messages.SUCCESS if outcome.saved else messages.WARNING, outcome.message)
        if outcomes:
            self.scorecard.refresh_from_db()
            self.scorecard.assignment = self.assignment
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        entries = _entries(self.scorecard)
        assessment = (
            SelfAssessment.objects.filter(enrolment=self.assignment.enrolment, status=SelfAssessment.Status.SUBMITTED)
            .select_related("submitted_by")
            .first()
        )
        answers = {answer.criterion_id: answer for answer in assessment_with_answers(assessment)} if assessment else {}
        rows = [CriterionRow(entry=e, criterion=e.criterion, answer=answers.get(e.criterion_id)) for e in entries]
        return {
            **super().get_context_data(**kwargs),
            **self.common_context(entries),
            "assessment": assessment,
            "rows": rows,
            "scores": SCORES,
        }

    def post(self, request, *args, **kwargs):
        """Without JavaScript one criterion (or the overall remarks) is saved at once."""
        code = request.POST.get("code", "").replace("\x00", "")  # PostgreSQL refuses NUL, even in a lookup
        problems = []
        if code:
            target = get_object_or_404(ScoreEntry, scorecard=self.scorecard, criterion__code=code)
            fields, save = services.ENTRY_FIELDS, services.save_score
            target_kwargs = {"entry": target}
        else:
            fields, save = services.OVERALL_FIELDS, services.save_overall
            target_kwargs = {"scorecard": self.scorecard}
        for field in fields:
            if field not in request.POST:
                continue
            try:
                save(
                    **target_kwargs,
                    field=field,
                    value=request.POST.get(field, ""),
                    base=request.POST.get(f"base_{field}", ""),
                    actor=request.user,
                )
            except services.ScoreConflict as conflict:
                problems.append(f"{conflict.message} Your version was not saved: {conflict.mine[:500]}")
            except ServiceError as error:
                problems.append(error.message)
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            messages.success(request, f"{code or 'The overall remarks'} saved.")
        anchor = f"criterion-{code}" if code else "overall"
        return redirect(f"{services.scorecard_url(self.assignment)}#{anchor}")


class AutosaveView(autosave.AutosaveView):
    """htmx: save one score, comment or overall remark as the judge types
    (core.autosave)."""

    progress_template = "judging/scorecards/_progress.html"
    conflict_labels = {
        "theirs": "The saved version",
        "mine": "This page's version",
        "keep": "Keep this page's version",
        "load": "Load the saved version (copy anything you need from this page first)",
    }

    def get_code(self) -> str:
        return self.request.POST.get("code", "").replace("\x00", "")  # PostgreSQL refuses NUL, even in a lookup

    def page_url(self) -> str:
        return reverse("judging:scorecard", args=[self.kwargs["assignment_pk"]])

    def stash(self) -> None:
        pending_scores.stash(self.request, assignment_pk=self.kwargs["assignment_pk"], code=self.code, field=self.field)

    def load(self) -> None:
        self.assignment = _assignment_for(self.request, self.kwargs["assignment_pk"])
        self.scorecard = get_object_or_404(Scorecard, assignment=self.assignment)
        self.scorecard.assignment = self.assignment

    def refusal(self) -> str | None:
        return services.edit_refusal(self.scorecard, actor=self.request.user)

    def save(self, *, value: str, base: str, force: bool) -> ScoreEntry | Scorecard:
        actor = self.request.user
        if self.code:
            entry = get_object_or_404(ScoreEntry, scorecard=self.scorecard, criterion__code=self.code)
            return services.save_score(entry=entry, field=self.field, value=value, base=base, actor=actor, force=force)
        return services.save_overall(
            scorecard=self.scorecard, field=self.field, value=value, base=base, actor=actor, force=force
        )

    def field_value(self, saved: ScoreEntry | Scorecard) -> str:
        return services.field_value(saved, self.field)

    def progress(self) -> dict:
        return _progress(_entries(self.scorecard))

    def get_context(self) -> dict:
        return {"assignment": self.assignment}

    def suffix(self) -> str:
        return f"-{self.code}" if self.code else ""

    def reload_url(self) -> str:
        # "loaded" makes the link a real reload even when the address already ends in the same #fragment.
        anchor = f"criterion-{self.code}" if self.code else "overall"
        return f"{services.scorecard_url(self.assignment)}?loaded={int(timezone.now().timestamp())}#{anchor}"


class ReviewView(ScorecardMixin, TemplateView):
    template_name = "judging/scorecards/review.html"

    def get_context_data(self, **kwargs):
        entries = _entries(self.scorecard)
        return {
            **super().get_context_data(**kwargs),
            **self.common_context(entries),
            "missing": [entry for entry in entries if entry.score is None],
        }


class SubmitView(ScorecardMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.submit(scorecard=self.scorecard, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("judging:scorecard_review", assignment_pk=self.assignment.pk)
        messages.success(
            request,
            f"Your scorecard for {self.assignment.enrolment.organisation} is submitted. "
            "Thank you: it is locked now, and the programme lead can unlock it if something needs changing.",
        )
        return redirect("judging:scorecard_list")


class UnlockView(PermissionRequiredMixin, TemplateView):
    """The lead's view of one scorecard, with the form to unlock it (the
    lead's judging dashboard links here)."""

    permission_required = "judging.manage_judging"
    template_name = "judging/scorecards/unlock.html"

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()

    @cached_property
    def scorecard(self) -> Scorecard:
        return get_object_or_404(
            Scorecard.objects.select_related(
                "assignment__cohort", "assignment__enrolment__organisation", "assignment__judge"
            ),
            assignment_id=self.kwargs["assignment_pk"],
        )

    def get_context_data(self, **kwargs):
        assignment = self.scorecard.assignment
        entries = _entries(self.scorecard)
        return {
            **super().get_context_data(**kwargs),
            "scorecard": self.scorecard,
            "assignment": assignment,
            "cohort": assignment.cohort,
            "organisation": assignment.enrolment.organisation,
            "judge": assignment.judge,
            "entries": entries,
            "progress": _progress(entries),
            "next": self._next_url(),
            "history": trail.history(self.scorecard, limit=20),
        }

    def post(self, request, *args, **kwargs):
        try:
            services.unlock(scorecard=self.scorecard, actor=request.user, reason=request.POST.get("reason", ""))
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(
            request,
            f"The scorecard is unlocked; {self.scorecard.assignment.judge.get_full_name()} has been told by e-mail. "
            "It counts again once they resubmit it.",
        )
        return redirect(self._next_url() or request.path)

    def _next_url(self) -> str:
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            # Only a path on this site: never a view name to reverse, never a relative or other-host address.
            parts = urlsplit(candidate)
            if parts.path.startswith("/") and not parts.path.startswith(("//", "/\\")):
                return parts.path + (f"?{parts.query}" if parts.query else "")
        return ""
