"""The review pack as PDF, rendered by WeasyPrint from the print view's HTML.

A signed review's PDF is byte-for-byte stable: its HTML comes from the snapshot alone, the
document's dates (`dcterms.created`/`modified` in the template) are the second signature's time,
and the PDF identifier is derived from the snapshot hash (never random).
"""
from __future__ import annotations

from pathlib import Path

from config import BASE_DIR

CSS_FILE = Path(BASE_DIR) / "static" / "css" / "review-print.css"


def render_pdf(html: str, identifier: str) -> bytes:
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=str(BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(CSS_FILE))], pdf_identifier=identifier.encode()[:32],
        custom_metadata=False, uncompressed_pdf=False)
