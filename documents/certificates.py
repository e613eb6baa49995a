"""The certificate as a PDF: one A4 landscape page with a QR code that opens
the public verification page."""

from django.urls import reverse

from core.notifications import absolute_url
from documents.models import Certificate
from documents.rendering import qr_data_uri, render_pdf


def verify_url(certificate: Certificate) -> str:
    return absolute_url(reverse("documents:verify_code", kwargs={"code": certificate.code}))


def name_size(name: str) -> int:
    """The type size step (1 largest, 4 smallest) that fits the name on at
    most two or three lines of the certificate."""
    length = len(name)
    if length <= 34:
        return 1
    if length <= 70:
        return 2
    if length <= 120:
        return 3
    return 4


def certificate_pdf(certificate: Certificate) -> bytes:
    url = verify_url(certificate)
    return render_pdf(
        "documents/certificate.html",
        {
            "certificate": certificate,
            "name_size": name_size(certificate.organisation_name),
            "qr": qr_data_uri(url),
            "verify_url": url,
        },
        styles=("certificate.css",),
    )
