"""Certificates of completed modules as PDF, and a public check of a certificate's verification code."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import Catalog
from ..i18n import _
from ..models import ModuleCompletion, Person
from .errors import NotFound

# Characters outside Latin-1 that Unicode decomposition does not reduce to a Latin-1 letter.
_FALLBACKS = {
    "ß": "ss",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "Ħ": "H",
    "ı": "i",
    "ŧ": "t",
    "Ŧ": "T",
    "œ": "oe",
    "Œ": "OE",
    "ŋ": "ng",
    "Ŋ": "NG",
    "ĸ": "k",
    "ſ": "s",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "…": "...",
    "€": "EUR",
    "•": "-",
}
_MAX_CODE = 32
_BLUE = (21, 66, 115)  # Rijksoverheid dark blue, as in the site's stylesheet
_TEXT = (26, 26, 26)
_MUTED = (74, 74, 74)

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class CertificateData:
    """What a certificate shows: nothing beyond what it proves."""

    name: str
    module_slug: str
    module_title: str
    completed_on: date
    content_version: str
    verification_code: str
    lang: str

    @property
    def verify_path(self) -> str:
        return f"/verify/{self.verification_code}"


@dataclass(frozen=True)
class VerifiedCertificate:
    """What a public check reveals: name, module and date, nothing else."""

    name: str
    module_title: str
    completed_on: date


def _module_title(catalog: Catalog, module_slug: str, lang: str) -> str:
    """A module that left the catalogue keeps its slug as title, so its certificates stay valid."""
    module = catalog.module(module_slug)
    return module.text(lang).title if module is not None else module_slug


def certificate_for(session: Session, catalog: Catalog, person: Person, module_slug: str, lang: str) -> CertificateData:
    """The certificate of the person's latest completion of the module; NotFound if there is none to print."""
    completion = session.scalar(
        select(ModuleCompletion)
        .where(ModuleCompletion.person_id == person.id, ModuleCompletion.module_slug == module_slug)
        .order_by(ModuleCompletion.completed_at.desc(), ModuleCompletion.id.desc())
        .limit(1)
    )
    if completion is None or not completion.verification_code:
        raise NotFound("certificate")
    return CertificateData(
        name=person.name,
        module_slug=completion.module_slug,
        module_title=_module_title(catalog, completion.module_slug, lang),
        completed_on=completion.completed_at.date(),
        content_version=completion.content_version,
        verification_code=completion.verification_code,
        lang=lang,
    )


def normalise_code(code: str) -> str:
    """Codes are read out and typed: ignore case and spaces."""
    return "".join(code.split()).upper()


def verify(session: Session, catalog: Catalog, code: str, lang: str | None = None) -> VerifiedCertificate | None:
    """The certificate with this code, showing only name, module title and date; None for an unknown code."""
    normalised = normalise_code(code)
    if not normalised or len(normalised) > _MAX_CODE:
        return None
    row = session.execute(
        select(Person.name, ModuleCompletion.module_slug, ModuleCompletion.completed_at)
        .join(Person, Person.id == ModuleCompletion.person_id)
        .where(ModuleCompletion.verification_code == normalised)
    ).one_or_none()
    if row is None:
        return None
    name, module_slug, completed_at = row
    module = catalog.module(module_slug)
    title = _module_title(catalog, module_slug, lang or (module.default_language if module else ""))
    return VerifiedCertificate(name=name, module_title=title, completed_on=completed_at.date())


def latin1(text: str) -> str:
    """The PDF core fonts only know Latin-1: keep what fits, transliterate the rest (Ş → S), else '?'."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
        elif char in _FALLBACKS:
            out.append(_FALLBACKS[char])
        else:
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and not unicodedata.combining(c)
            )
            out.append(plain or "?")
    return "".join(out)


def _fitted(pdf: FPDF, text: str, style: str, size: float, width: float) -> float:
    """The largest font size up to `size` at which the text fits on one line of `width`."""
    while size > 10:
        pdf.set_font("helvetica", style, size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 1
    return size


def render_pdf(data: CertificateData, verify_url: str | None = None) -> bytes:
    """An A4 landscape certificate in the interface language; `verify_url` defaults to the path /verify/<code>."""
    # Imported here: fpdf2 (with fontTools) adds 35 MB to every worker that loads it, for a rare download.
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(30, 20, 30)
    pdf.set_title(latin1(f"{_('Certificate')}: {data.module_title}"))
    pdf.set_creator(latin1(_("Social safety at work")))
    pdf.set_lang(data.lang)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # Frame and the blue ribbon at the top, in the style of central-government documents.
    pdf.set_draw_color(*_BLUE)
    pdf.set_line_width(0.6)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_fill_color(*_BLUE)
    pdf.rect(pdf.w / 2 - 12, 12, 24, 34, style="F")

    def line(
        text: str,
        style: str = "",
        size: float = 14,
        height: float = 9,
        colour: tuple[int, ...] = _TEXT,
        fit: bool = False,
    ) -> None:
        text = latin1(text)
        pdf.set_font("helvetica", style, _fitted(pdf, text, style, size, width) if fit else size)
        pdf.set_text_color(*colour)
        pdf.cell(width, height, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(54)
    line(_("Social safety at work"), size=12, height=7, colour=_MUTED)
    line(_("Certificate"), "B", 34, 16, _BLUE)
    pdf.ln(6)
    line(_("This is to certify that"), size=14)
    line(data.name, "B", 26, 14, fit=True)
    line(_("has completed the module"), size=14)
    line(data.module_title, "B", 22, 12, _BLUE, fit=True)

    # The facts, as a small two-column table centred below.
    pdf.ln(10)
    facts = [
        (_("Date completed"), format_date(data.completed_on, format="long", locale=data.lang)),
        (_("Content version"), data.content_version),
        (_("Verification code"), data.verification_code),
    ]
    label_w, value_w = 60.0, 80.0
    left = (pdf.w - label_w - value_w) / 2
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    for label, value in facts:
        pdf.set_x(left)
        pdf.set_font("helvetica", "", 11)
        pdf.set_text_color(*_MUTED)
        pdf.cell(label_w, 8, latin1(label), border="B")
        pdf.set_font("helvetica", "B", 11)
        pdf.set_text_color(*_TEXT)
        pdf.cell(value_w, 8, latin1(value), border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(pdf.h - 36)
    line(
        _("Check this certificate at %(url)s", url=verify_url or data.verify_path),
        size=10,
        height=6,
        colour=_MUTED,
        fit=True,
    )
    return bytes(pdf.output())
