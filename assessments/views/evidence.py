"""Evidence files: upload and remove (htmx, or a plain form without
JavaScript), and download through a permission check.

Someone who may not see the assessment gets a 404 rather than a 403, so
that whether an assessment or a file exists does not leak."""

import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRedirect

from assessments.models import EvidenceFile, Response, SelfAssessment
from assessments.services import evidence as services
from core.errors import ServiceError

logger = logging.getLogger(__name__)

PARTIAL = "assessments/_evidence_list.html"


def _back_url(request) -> str:
    """Where a plain form goes back to: the page it was posted from."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            # Only a path on this site: never a view name to reverse, never another host.
            parts = urlsplit(candidate)
            if parts.path.startswith("/") and not parts.path.startswith(("//", "/\\")):
                return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("member_dashboard")


class SignedInMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        if request.htmx:
            # Swapping the log-in page into the file list would strand the
            # person; send the whole page there and back again.
            return HttpResponseClientRedirect(redirect_to_login(request.htmx.current_url_abs_path or "/").url)
        return redirect_to_login(request.get_full_path() if request.method == "GET" else _back_url(request))


def _check_may_change(user, assessment: SelfAssessment) -> None:
    """404 for people who may not see the assessment; 403 for those who may
    see but not change it (the lead). A submitted assessment goes on to the
    service, which refuses with the reason."""
    if not user.has_perm("assessments.view_assessment", assessment):
        raise Http404
    if not assessment.is_locked and not user.has_perm("assessments.edit_assessment", assessment):
        raise PermissionDenied


class EvidenceChangeView(SignedInMixin, View):
    def answer(self, *, response: Response, error: str = "", notice: str = ""):
        """htmx gets the list again (errors included, with 200: htmx swaps
        only successful answers); a plain form goes back with a message."""
        request = self.request
        if request.htmx:
            context = {
                "response": response,
                "assessment": response.assessment,
                "evidence_error": error,
                "evidence_notice": notice,
                "next_url": _back_url(request),
            }
            answer = render(request, PARTIAL, context)
            if not error:
                answer["HX-Trigger"] = "evidence-changed"
            return answer
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect(_back_url(request))


class EvidenceUploadView(EvidenceChangeView):
    def post(self, request, assessment_pk: int, code: str):
        assessment = get_object_or_404(
            SelfAssessment.objects.select_related("enrolment__organisation", "enrolment__cohort"), pk=assessment_pk
        )
        _check_may_change(request.user, assessment)
        response = get_object_or_404(
            Response.objects.select_related("criterion"), assessment=assessment, criterion__code=code
        )
        response.assessment = assessment
        upload = request.FILES.get("file")
        if upload is None:
            return self.answer(response=response, error="Choose a file to upload.")
        try:
            evidence = services.add_evidence(response=response, upload=upload, actor=request.user)
        except ServiceError as error:
            return self.answer(response=response, error=error.message)
        return self.answer(response=response, notice=f"“{evidence.original_name}” was added.")


class EvidenceRemoveView(EvidenceChangeView):
    def post(self, request, pk: int):
        evidence = get_object_or_404(
            EvidenceFile.objects.select_related("response__criterion", "response__assessment__enrolment__organisation"),
            pk=pk,
        )
        response = evidence.response
        _check_may_change(request.user, response.assessment)
        try:
            services.remove_evidence(evidence=evidence, actor=request.user)
        except ServiceError as error:
            return self.answer(response=response, error=error.message)
        return self.answer(response=response, notice=f"“{evidence.original_name}” was removed.")


@method_decorator(never_cache, name="dispatch")
class EvidenceDownloadView(SignedInMixin, View):
    def get(self, request, pk: int):
        evidence = get_object_or_404(
            EvidenceFile.objects.select_related("response__assessment__enrolment__organisation"), pk=pk
        )
        if not request.user.has_perm("assessments.view_assessment", evidence.response.assessment):
            raise Http404
        try:
            stored = evidence.file.open("rb")
        except FileNotFoundError:
            logger.error("Evidence file %s is missing from storage (%s)", evidence.pk, evidence.file.name)
            raise Http404 from None
        answer = FileResponse(
            stored, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
        )
        # Never rendered by the browser as anything but a download of its own type.
        answer["X-Content-Type-Options"] = "nosniff"
        return answer
