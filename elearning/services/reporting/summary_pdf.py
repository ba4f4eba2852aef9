"""A summary as an A4 landscape PDF with an embedded font that has every Dutch (and other Latin) character."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from .exports import Cell
from .summary import Summary, Table

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent.parent / "data" / "fonts"
FAMILY = "DejaVuSansCondensed"
_BLUE = (21, 66, 115)  # Rijksoverheid dark blue, as in the site's stylesheet and the certificates
_MUTED = (74, 74, 74)
_LIGHT = (232, 238, 245)


def text(value: Cell, lang: str) -> str:
    """A cell as printed: numbers with the language's digit grouping, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_decimal(value, locale=lang)
    return str(value)


def render_pdf(summary: Summary) -> bytes:
    # Imported here: fpdf2 (with fontTools) adds 35 MB to every worker that loads it, for a rare download.
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSansCondensed.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSansCondensed-Bold.ttf")
    pdf.set_title(summary.title)
    pdf.set_creator(summary.creator)
    pdf.set_lang(summary.lang)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_fill_color(*_BLUE)
    pdf.rect(pdf.l_margin, pdf.t_margin, 8, 14, style="F")
    pdf.set_x(pdf.l_margin + 11)
    pdf.set_font(FAMILY, "B", 15)
    pdf.set_text_color(*_BLUE)
    pdf.cell(width - 11, 8, summary.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(pdf.l_margin + 11)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.multi_cell(
        width - 11, 4.5, "   ·   ".join(f"{label}: {value}" for label, value in summary.facts), new_x=XPos.LMARGIN
    )
    pdf.ln(3)
    for table in summary.tables:
        _table(pdf, table, summary.lang, width)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_text_color(*_MUTED)
    for note in summary.notes:
        pdf.multi_cell(width, 3.6, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _table(pdf: FPDF, table: Table, lang: str, width: float) -> None:
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    pdf.set_font(FAMILY, "B", 10.5)
    pdf.set_text_color(*_BLUE)
    pdf.cell(width, 6, table.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(26, 26, 26)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_fill_color(255, 255, 255)
    widths = table.widths or tuple(1.0 for _ in table.header)
    used = width * table.share
    columns = len(table.header)
    with pdf.table(
        col_widths=tuple(used * w / sum(widths) for w in widths),
        width=used,
        align="LEFT",
        text_align=("LEFT",) * table.text_columns + ("RIGHT",) * (columns - table.text_columns),
        headings_style=FontFace(emphasis="BOLD", fill_color=_LIGHT),
        num_heading_rows=2 if table.groups else 1,
        line_height=4.2,
        padding=(0.8, 1.2),
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=(246, 248, 251),
        cell_fill_mode="ROWS",
    ) as grid:
        if table.groups:
            above = grid.row()
            for label, span in table.groups:
                above.cell(label, colspan=span, align="CENTER" if span > 1 else "LEFT")
        heading = grid.row()
        for label in table.header:
            heading.cell(label)
        for number, cells in enumerate(table.rows):
            line = grid.row()
            indent = table.indents[number] if number < len(table.indents) else 0
            for column, value in enumerate(cells):
                printed = text(value, lang)
                line.cell(("    " * indent + printed) if column == 0 else printed)
    pdf.ln(4)
