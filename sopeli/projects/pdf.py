"""The grant contract as a PDF (WeasyPrint), in both languages, Georgian first.

Fonts: the template asks for DejaVu Sans / Noto Sans Georgian, which carry Mkhedruli (the server
needs fonts-dejavu-core or fonts-noto-core). Amounts are written with "GEL" (DejaVu has no ₾).
"""

from __future__ import annotations

from django.template.loader import render_to_string


def contract_pdf(page: dict, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("projects/contract_pdf.html", page, request=request)
    base = request.build_absolute_uri("/") if request is not None else "."
    return HTML(string=html, base_url=base).write_pdf()
