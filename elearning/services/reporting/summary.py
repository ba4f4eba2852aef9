"""A one-page summary as plain values (title, facts, tables, notes), so that the page, the PDF and the XLSX file
show the same cells: the web layer fills it with translated labels, `summary_pdf` and `summary_xlsx` write it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .exports import Cell


@dataclass(frozen=True)
class Table:
    """One table: a heading, a header row and rows of cells (numbers as numbers; text already neutralised)."""

    key: str  # short and stable: the XLSX sheet name and the page's element id
    heading: str
    header: list[str]
    rows: list[list[Cell]]
    widths: tuple[float, ...] = ()  # relative column widths in the PDF; empty: equal
    indents: list[int] = field(default_factory=list)  # per row: levels to indent the first cell (a tree)
    groups: list[tuple[str, int]] = field(default_factory=list)  # a row above the header: (label, columns spanned)
    share: float = 1.0  # of the page's width, in the PDF
    text_columns: int = 1  # the first columns hold text (aligned left); the rest numbers (aligned right)


@dataclass(frozen=True)
class Summary:
    title: str
    facts: list[tuple[str, str]]
    tables: list[Table]
    notes: list[str]
    lang: str
    creator: str = ""
