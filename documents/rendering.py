"""HTML to PDF with WeasyPrint, in the long-lived process that calls it.

The first document a process renders pays for loading fonts and WeasyPrint
itself (about half a second); later ones reuse the font configuration and
the parsed style sheets kept here, so a certificate takes tens of
milliseconds. Never start a process per document.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STYLES = Path(settings.BASE_DIR) / "documents" / "styles"


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def stylesheet(name: str) -> CSS:
    """A parsed style sheet from documents/styles/, parsed once per process."""
    return CSS(filename=str(STYLES / name), font_config=font_config())


def render_pdf(template: str, context: dict, *, styles: tuple[str, ...] = ()) -> bytes:
    """Render the Django template `template` with `context` to PDF bytes,
    with the named style sheets from documents/styles/."""
    html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[stylesheet(name) for name in styles], font_config=font_config()
    )
    return document.write_pdf()


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI, for an <img> in a document."""
    # A fixed mask pattern: segno need not try all eight to score them, and
    # any of them reads as well at this size.
    svg = segno.make(url, error="m", micro=False, mask=4).svg_inline(scale=1, border=0, dark="#0b2540")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def svg_data_uri(svg: str) -> str:
    """A chart's SVG (from core.charts) as a data URI for an <img>."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
