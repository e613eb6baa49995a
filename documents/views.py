"""Pages for documents: the lead's documents page of a cohort, the
members' own documents, downloads, and the public certificate check."""

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.rules import is_organisation_member
from cohorts.views.programme import CohortMixin
from core import trail
from core.errors import ServiceError
from documents import selectors, services
from documents.forms import ReasonForm, ReissueForm, VerifyForm
from documents.models import Certificate, Document
from organisations.models import Membership


class DocumentsView(CohortMixin, TemplateView):
    """A cohort's certificates and reports, with the state of their jobs.
    While any job is queued or running, htmx refreshes the panel."""

    template_name = "documents/cohort_documents.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["documents/_panel.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(panel=selectors.cohort_panel(self.cohort), **kwargs)


class GenerateView(CohortMixin, View):
    """Queue the documents that are missing or failed (or all of them again)."""

    def post(self, request, *args, **kwargs):
        again = request.POST.get("again") == "1"
        try:
            batch = services.request_documents(cohort=self.cohort, actor=request.user, again=again)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            if batch is None:
                messages.info(request, "Every document is already made: there was nothing to queue.")
            else:
                messages.success(request, f"Queued: {batch.title}. This page shows their progress.")
        return redirect("documents:cohort_documents", number=self.cohort.number)


class RetryView(CohortMixin, View):
    def post(self, request, *args, **kwargs):
        document = get_object_or_404(Document, pk=kwargs["pk"], cohort=self.cohort)
        try:
            services.retry(document=document, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{document.title} is queued again.")
        return redirect("documents:cohort_documents", number=self.cohort.number)


class IssueView(CohortMixin, View):
    """Issue a certificate on demand to an accredited organisation without one."""

    def post(self, request, *args, **kwargs):
        enrolment = get_object_or_404(self.cohort.enrolments.select_related("organisation"), pk=kwargs["enrolment"])
        try:
            certificate = services.issue(enrolment=enrolment, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Certificate {certificate.serial} was issued to {certificate.organisation_name}."
            )
        return redirect("documents:cohort_documents", number=self.cohort.number)


class CertificateActionView(CohortMixin, FormView):
    """Reissue or revoke one certificate: a form with the reason."""

    template_name = "documents/certificate_action.html"
    action = ""

    def get_certificate(self) -> Certificate:
        if not hasattr(self, "certificate"):
            self.certificate = get_object_or_404(
                Certificate.objects.select_related("enrolment__organisation"),
                cohort=self.cohort,
                serial=self.kwargs["serial"],
            )
        return self.certificate

    def get(self, request, *args, **kwargs):
        certificate = self.get_certificate()
        if not certificate.is_valid:
            messages.error(
                request,
                f"Certificate {certificate.serial} is {certificate.get_status_display().lower()}: "
                "it cannot be changed.",
            )
            return redirect("documents:cohort_documents", number=self.cohort.number)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        certificate = self.get_certificate()
        return super().get_context_data(
            certificate=certificate,
            action=self.action,
            history=trail.history(certificate, limit=20),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            message = self.act(form.cleaned_data)
        except ServiceError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(self.request, message)
        return redirect("documents:cohort_documents", number=self.cohort.number)


class ReissueView(CertificateActionView):
    form_class = ReissueForm
    action = "reissue"

    def get_initial(self):
        return {"organisation_name": self.get_certificate().organisation_name}

    def act(self, data) -> str:
        new = services.reissue(
            certificate=self.get_certificate(),
            actor=self.request.user,
            reason=data["reason"],
            organisation_name=data["organisation_name"],
        )
        return (
            f"Certificate {new.serial} replaces {self.certificate.serial}, which now shows as superseded when checked."
        )


class RevokeView(CertificateActionView):
    form_class = ReasonForm
    action = "revoke"

    def act(self, data) -> str:
        services.revoke(certificate=self.get_certificate(), actor=self.request.user, reason=data["reason"])
        return f"Certificate {self.certificate.serial} is revoked; the verification page now says so."


class DownloadView(LoginRequiredMixin, View):
    """A generated PDF, as an attachment, to those allowed to have it.
    Members of another organisation are told it does not exist."""

    def get(self, request, *args, **kwargs):
        if not (request.user.has_perm("documents.manage_documents") or is_organisation_member(request.user)):
            raise PermissionDenied  # before the lookup, so that document ids cannot be probed
        document = get_object_or_404(
            Document.objects.select_related("cohort", "certificate", "enrolment__organisation"), pk=kwargs["pk"]
        )
        if not request.user.has_perm("documents.download_document", document):
            if is_organisation_member(request.user):
                raise Http404
            raise PermissionDenied
        if document.status != Document.Status.DONE or not document.file:
            messages.info(request, f"{document.title} is not ready yet: {document.get_status_display().lower()}.")
            if request.user.has_perm("documents.manage_documents"):
                return redirect("documents:cohort_documents", number=document.cohort.number)
            return redirect("documents:my_documents")
        try:
            with document.file.open("rb") as handle:
                content = handle.read()  # a few megabytes at most
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document.download_name
        )
        response["Cache-Control"] = "private, no-store"
        return response


class MyDocumentsView(LoginRequiredMixin, TemplateView):
    """The certificates and feedback reports of the user's organisations."""

    template_name = "documents/my_documents.html"

    def get(self, request, *args, **kwargs):
        if request.user.has_perm("documents.manage_documents"):
            return redirect("cohorts:cohort_list")
        if not is_organisation_member(request.user):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        organisation_ids = list(
            Membership.objects.active().filter(user=self.request.user).values_list("organisation_id", flat=True)
        )
        return super().get_context_data(groups=selectors.member_documents(organisation_ids), **kwargs)


# ---------------------------------------------------------------- public


def _limited(request):
    """Anyone may check certificates, but not by the thousand: a 429 page
    once the client address has used its allowance. allauth's limiter (its
    cache, its reading of the client address behind proxies); GET counts
    too, since the code link is a GET."""
    if not ratelimit.consume(request, app="allauth.account", action="verify_certificate", limit_get=True):
        return render(request, "429.html", status=429)
    return None


class VerifyView(View):
    """The form: the serial together with the organisation's name."""

    template_name = "documents/verify.html"

    def get(self, request):
        return render(request, self.template_name, {"form": VerifyForm()})

    def post(self, request):
        refused = _limited(request)
        if refused:
            return refused
        form = VerifyForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=422)
        certificate = services.find_by_serial_and_name(
            form.cleaned_data["serial"], form.cleaned_data["organisation_name"]
        )
        return render(
            request,
            self.template_name,
            {"form": form, "checked": True, "certificate": certificate},
            status=200 if certificate else 404,
        )


def verify_code(request, code: str):
    """The QR code's link: the certificate with this code, or a clear 'not found'."""
    refused = _limited(request)
    if refused:
        return refused
    certificate = services.find_by_code(code)
    return render(
        request,
        "documents/verify.html",
        {"form": VerifyForm(), "checked": True, "certificate": certificate, "by_code": True},
        status=200 if certificate else 404,
    )
