"""A summary as an XLSX workbook: the facts and notes on a first sheet, each table on a sheet of its own."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from .exports import neutralise
from .summary import Summary

MAX_SHEET_NAME = 31


def write_xlsx(summary: Summary, about_sheet: str) -> str:
    """Write the workbook to a temporary file and return its path; the caller deletes it. Text is neutralised."""
    import xlsxwriter  # here: only XLSX downloads need it

    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="summary-")
    os.close(handle)
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 14})
        centred = workbook.add_format({"bold": True, "align": "center"})
        indents: dict[int, Any] = {}

        def indented(level: int) -> Any:
            if level not in indents:
                indents[level] = workbook.add_format({"indent": level})
            return indents[level]

        about = workbook.add_worksheet(about_sheet[:MAX_SHEET_NAME])
        about.write_string(0, 0, str(neutralise(summary.title)), title)
        line = 2
        for label, value in summary.facts:
            about.write_string(line, 0, str(neutralise(label)), bold)
            about.write_string(line, 1, str(neutralise(value)))
            line += 1
        line += 1
        for note in summary.notes:
            about.write_string(line, 0, str(neutralise(note)))
            line += 1
        about.set_column(0, 0, 40)
        about.set_column(1, 1, 60)
        for table in summary.tables:
            sheet = workbook.add_worksheet(table.key[:MAX_SHEET_NAME])
            sheet.write_string(0, 0, str(neutralise(table.heading)), bold)
            column = 0
            for label, span in table.groups:  # on the row above the header (row 2), merged over its columns
                if span > 1:
                    sheet.merge_range(1, column, 1, column + span - 1, str(neutralise(label)), centred)
                else:
                    sheet.write_string(1, column, str(neutralise(label)), bold)
                column += span
            sheet.write_row(2, 0, [neutralise(label) for label in table.header], bold)
            for number, cells in enumerate(table.rows):
                indent = table.indents[number] if number < len(table.indents) else 0
                for column, cell in enumerate(cells):
                    style = indented(indent) if column == 0 and indent else None
                    if cell is None:
                        continue
                    if isinstance(cell, bool):
                        sheet.write_boolean(number + 3, column, cell)
                    elif isinstance(cell, int | float):
                        sheet.write_number(number + 3, column, cell)
                    else:
                        sheet.write_string(number + 3, column, str(neutralise(cell)), style)
            sheet.set_column(0, 0, 45)
            sheet.set_column(1, max(1, len(table.header) - 1), 14)
            sheet.freeze_panes(3, 1)
        workbook.close()
    except BaseException:
        os.unlink(path)
        raise
    return path
