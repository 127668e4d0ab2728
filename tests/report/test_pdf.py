"""The PDF is a real document: several A4 pages, none blank, fonts embedded, dates fixed."""

from __future__ import annotations

import ctypes
import io

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c

from .conftest import Rendered

# A4 in PDF points (1/72 inch): 210 x 297 mm.
A4 = (595.28, 841.89)


def test_pdf_pages_are_a4_and_none_is_blank(city_of_london: Rendered) -> None:
    document = pypdfium2.PdfDocument(io.BytesIO(city_of_london.pdf))
    try:
        assert len(document) >= 8
        sizes = set()
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            sizes.add((round(min(width, height)), round(max(width, height))))
            pixels = np.asarray(page.render(scale=0.5, grayscale=True).to_pil().convert("L"))
            inked = float((pixels < 200).mean())
            # A page of text or a chart inks well over 0.2% of its area; a blank one none.
            assert inked > 0.002, f"page {index + 1} looks blank ({inked:.4%} inked)"
            assert pixels.std() > 5, f"page {index + 1} has no contrast"
    finally:
        document.close()
    assert sizes == {(round(A4[0]), round(A4[1]))}  # portrait and landscape A4 only


def _fonts(page: pypdfium2.PdfPage) -> set[tuple[str, bool]]:
    """(base font name, embedded?) of every text object on the page."""
    found = set()
    for text in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(text.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        name = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
        found.add((name.value.decode("ascii"), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return found


def test_pdf_embeds_its_fonts_and_carries_the_period_as_its_date(
    city_of_london: Rendered,
) -> None:
    document = pypdfium2.PdfDocument(io.BytesIO(city_of_london.pdf))
    try:
        fonts = _fonts(document[0])
        metadata = document.get_metadata_dict()
    finally:
        document.close()
    assert fonts and all(embedded for _, embedded in fonts)
    assert any(name.endswith("+Report-Sans") for name, _ in fonts)
    # Dated by its data (the period ends June 2021), never by the clock.
    assert metadata["CreationDate"] == metadata["ModDate"] == "D:20210601"
    assert metadata["Title"].endswith("City of London, 12 months to June 2021")
    assert metadata["Creator"].startswith("forcestat ")
