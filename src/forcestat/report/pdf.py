"""The report as a PDF, from the same HTML, by WeasyPrint.

The PDF carries the page's content exactly: the print rules of the style sheet lay it
out on A4 (landscape for the scorecard and the appendix), with page numbers and a
contents list with page references. Its dates come from the report's period end
(``dcterms.created`` in the HTML), not the clock, and it has no random identifier, so
the same report gives the same bytes. The PDF is tagged, for screen readers.
"""

from __future__ import annotations

import logging

from forcestat.report.errors import ReportError

__all__ = ["render_pdf"]


def render_pdf(html: str) -> bytes:
    """The PDF of a report rendered by ``forcestat.report.html.render_html``.

    Raises ReportError when WeasyPrint or the system libraries it draws with (pango)
    are missing.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: pango not installed
        raise ReportError(
            f"cannot write the PDF: {exc}. Install WeasyPrint's system libraries "
            "(Debian and Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0) "
            "or pass --no-pdf"
        ) from exc
    # WeasyPrint warns about CSS it does not draw (screen-only rules); the HTML is ours.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(pdf_tags=True)
    return pdf
