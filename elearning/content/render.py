"""Markdown to sanitised HTML, done once when the catalogue is loaded (never per request).

Python-Markdown renders; nh3 then keeps only an explicit allowlist of tags, attributes and URL schemes,
whatever the markdown contained. `attr_list` is deliberately not enabled: it would eat a
`{vertrouwenspersoon_contact}` placeholder written at the end of a paragraph or heading.
"""

from __future__ import annotations

import re
from typing import Any

import markdown
import nh3

ADMONITION_TYPES: tuple[str, ...] = ("note", "tip", "warning", "important", "key")

# Default admonition titles (used when a callout has no `| Title`), per content language.
_ADMONITION_TITLES: dict[str, dict[str, str]] = {
    "nl": {
        "note": "Let op",
        "tip": "Tip",
        "warning": "Waarschuwing",
        "important": "Belangrijk",
        "key": "Kernboodschap",
    },
    "en": {
        "note": "Note",
        "tip": "Tip",
        "warning": "Warning",
        "important": "Important",
        "key": "Key message",
    },
}

_BACKLINK_TITLES: dict[str, str] = {
    "nl": "Terug naar voetnoot %d in de tekst",
    "en": "Jump back to footnote %d in the text",
}

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6",
        "p", "br", "hr",
        "a", "img",
        "ul", "ol", "li",
        "table", "thead", "tbody", "tr", "th", "td",
        "code", "pre", "blockquote",
        "em", "strong", "sup", "sub",
        "div", "section", "details", "summary", "span",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{f"h{n}": {"id"} for n in range(1, 7)},
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "p": {"class"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "div": {"class"},
    "section": {"class"},
    "details": {"class"},
    "span": {"class"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

_CLEAN_CONTENT_TAGS: frozenset[str] = frozenset({"script", "style"})
_SINGLE_P = re.compile(r"\A<p>(?P<inner>(?:(?!</?p[ >]).)*)</p>\Z", re.DOTALL)
_FOOTNOTE_IDS = re.compile(r'(id="|href="#)(fn|fnref):')


def sanitize(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes (relative URLs stay)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _extension_configs(lang: str) -> dict[str, dict[str, Any]]:
    titles = _ADMONITION_TITLES.get(lang, _ADMONITION_TITLES["en"])
    return {
        "pymdownx.blocks.admonition": {
            "types": [{"name": name, "class": name, "title": titles[name]} for name in ADMONITION_TYPES]
        },
        "tables": {"use_align_attribute": True},
        "footnotes": {"BACKLINK_TITLE": _BACKLINK_TITLES.get(lang, _BACKLINK_TITLES["en"])},
    }


class Renderer:
    """Renders the markdown of one content language; reuse it for all files of a module."""

    def __init__(self, lang: str = "nl") -> None:
        self.lang = lang
        base = ["tables", "footnotes", "fenced_code", "sane_lists", "pymdownx.blocks.admonition"]
        configs = _extension_configs(lang)
        self._document = markdown.Markdown(extensions=["toc", *base], extension_configs=configs)
        self._fragment = markdown.Markdown(extensions=base, extension_configs=configs)

    def document(self, text: str) -> str:
        """A page of markdown: headings get stable slug anchors (`## Wat is het?` -> id="wat-is-het")."""
        self._document.reset()
        return sanitize(self._document.convert(text))

    def fragment(self, text: str, anchor_prefix: str = "") -> str:
        """Markdown inside a block (prompt, feedback, scene text): no heading anchors.

        Footnote anchors get `anchor_prefix` so they do not collide with the page's own footnotes.
        """
        if not text.strip():
            return ""
        self._fragment.reset()
        html = self._fragment.convert(text)
        if anchor_prefix:
            html = _FOOTNOTE_IDS.sub(lambda m: f"{m.group(1)}{m.group(2)}:{anchor_prefix}-", html)
        return sanitize(html)

    def inline(self, text: str) -> str:
        """A one-line label or hint: like `fragment`, without the surrounding <p>."""
        html = self.fragment(text).strip()
        m = _SINGLE_P.match(html)
        return m.group("inner") if m else html


def render_markdown(text: str, lang: str = "nl") -> str:
    """Render one markdown document to sanitised HTML (convenience for tests and one-off use)."""
    return Renderer(lang).document(text)
