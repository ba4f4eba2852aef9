"""Plain-language check of Dutch lesson text: sentences over 25 words and very long words, as warnings with file:line.

Dutch government writing aims at language level B1 ("Direct Duidelijk"): short sentences and common words. This
check reads the markdown SOURCE of a lesson, so every finding points at the line an author edits. It is a warning,
never an error: a long sentence can be right, and an author decides.

What counts:
- **Prose**: paragraphs, list items, headings, callouts, question text, options, feedback and scenario scenes. Fenced
  and inline code, block headers and their option lines (`    title: ...`), `tag:` lines and table rows are skipped
  (a table cell is not a sentence).
- **A sentence** ends at `.`, `!` or `?` followed by a space and a capital letter, a digit or a quote, or at the end
  of its paragraph. A paragraph may run over several source lines; the sentence is reported at the line it starts on.
- **A word** is a run of letters and digits (an apostrophe or hyphen inside a word keeps it one word). Link
  addresses, e-mail addresses, `{placeholders}` and HTML tags are not words; a placeholder counts as one word.
- **A long word** has more than 20 letters, counted per part of a hyphenated word ("sollicitatiecommissie" has 21).
  A word is reported once per sentence. Official names a learner needs to find help ("bedrijfsmaatschappelijk
  werk") are accepted: see KNOWN_TERMS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_SENTENCE_WORDS = 25
MAX_WORD_LETTERS = 20
# Official names a learner must recognise to find help; their long parts are accepted.
KNOWN_TERMS = frozenset({"bedrijfsmaatschappelijk"})
CATEGORY = "plain-language"

_FENCE = re.compile(r"^ {0,3}/{3,}")
_OPTION_LINE = re.compile(r"^ {4,}\S")
_TAG_LINE = re.compile(r"^\s*tag\s*:")
_TABLE_ROW = re.compile(r"^\s*\|")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+")
_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s+(?:\[[ xX]?\]\s*)?(?:\([^()\s]*\)\s*)?")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]]+\]:\s*")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[\^[^\]]+\]")
_URL = re.compile(r"(?:https?://|mailto:|www\.)\S+|\S+@\S+\.\S+")
_PLACEHOLDER = re.compile(r"\{[A-Za-z][A-Za-z0-9_]*\}")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’-][^\W_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
# The end of a sentence: . ! or ? (perhaps with a closing quote or bracket), a space, then a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9À-Þ])")


@dataclass(frozen=True)
class Finding:
    """One plain-language warning: the source line and what to do about it."""

    line: int
    message: str


def _prose(text: str) -> str:
    """A line's readable text: markup, code, addresses and tags taken out, a placeholder kept as one word."""
    text = _CODE_SPAN.sub(" ", text)
    text = _REF_LINK.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _PLACEHOLDER.sub("contact", text)
    return text.replace("**", "").replace("__", "").replace("*", "")


def _paragraphs(lines: Iterable[tuple[int, str, bool]]) -> list[list[tuple[int, str]]]:
    """Group prose source lines (number, text, in fenced code) into paragraphs; skipped lines break a paragraph."""
    paragraphs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    options = False  # the indented `key: value` lines right under a block header
    quoting = False  # the paragraph is a `>` quote (feedback under an option or a choice)

    def close() -> None:
        nonlocal current, quoting
        if current:
            paragraphs.append(current)
        current, quoting = [], False

    for number, text, code in lines:
        if code:
            close()
            continue
        if options and _OPTION_LINE.match(text):
            continue
        options = False
        if _FENCE.match(text):
            close()
            options = True
            continue
        if not text.strip() or _TABLE_ROW.match(text) or _TAG_LINE.match(text):
            close()
            continue
        heading = _HEADING.match(text)
        item = _ITEM.match(text)
        footnote = _FOOTNOTE.match(text)
        quote = _QUOTE.match(text)
        if heading or item or footnote:
            close()
            marker = heading or item or footnote
            if marker is None:  # one of the three matched: the branch condition
                raise ValueError(text)
            current.append((number, text[marker.end() :]))
            if heading:
                close()
            continue
        if quote and not quoting:
            close()  # feedback is read apart from the option above it
            quoting = True
        elif not quote and quoting:
            close()
        current.append((number, text[quote.end() :] if quote else text))
    close()
    return paragraphs


def _sentences(paragraph: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The sentences of a paragraph, each with the source line it starts on."""
    found: list[tuple[int, str]] = []
    pending = ""
    start = paragraph[0][0]
    for number, raw in paragraph:
        text = _prose(raw).strip()
        if not text:
            continue
        if not pending.strip():
            start = number
        pending = f"{pending} {text}" if pending else text
        pieces = _SENTENCE_END.split(pending)
        for piece in pieces[:-1]:
            found.append((start, piece))
            start = number
        pending = pieces[-1]
    if pending.strip():
        found.append((start, pending))
    return found


def check_plain_language(lines: Iterable[tuple[int, str, bool]]) -> list[Finding]:
    """Warnings for the long sentences and long words in the body of one Dutch lesson file."""
    findings: list[Finding] = []
    for paragraph in _paragraphs(lines):
        for line, sentence in _sentences(paragraph):
            words = _WORD.findall(sentence)
            if len(words) > MAX_SENTENCE_WORDS:
                start = " ".join(words[:6])
                findings.append(
                    Finding(
                        line,
                        f"plain language: sentence of {len(words)} words (\u201c{start} ...\u201d); "
                        f"at most {MAX_SENTENCE_WORDS} words read easily: split it",
                    )
                )
            reported: set[str] = set()
            for word in words:
                parts = [part for part in _LETTERS.findall(word) if part.lower() not in KNOWN_TERMS]
                longest = max((len(part) for part in parts), default=0)
                if longest > MAX_WORD_LETTERS and word.lower() not in reported:
                    reported.add(word.lower())
                    findings.append(
                        Finding(
                            line,
                            f"plain language: long word '{word}' ({longest} letters); a shorter or more common "
                            f"word is easier to read",
                        )
                    )
    return findings
