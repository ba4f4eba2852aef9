"""Rendering: anchors, tables, footnotes, callouts, placeholders, and no script gets through anywhere."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from elearning.content import ContentErrors, Module, load_module
from elearning.content.load import build_module
from elearning.content.parse import BLOCK_TYPES
from elearning.content.render import ADMONITION_TYPES, Renderer, render_markdown, sanitize

from .conftest import VALID_ROOT, VALID_SLUG


def test_headings_get_stable_slug_anchors() -> None:
    html = render_markdown("## Wat is ongewenst gedrag?\n\n## Één & twee\n\n## Één & twee\n")
    assert '<h2 id="wat-is-ongewenst-gedrag">' in html
    assert '<h2 id="een-twee">' in html
    assert '<h2 id="een-twee_1">' in html
    assert render_markdown("## Wat is ongewenst gedrag?") == render_markdown("## Wat is ongewenst gedrag?")


def test_tables_keep_their_alignment() -> None:
    html = render_markdown("| Grond | % |\n|:--|--:|\n| Gender | 4,2% |\n")
    assert "<table>" in html
    assert '<th align="left">Grond</th>' in html
    assert '<td align="right">4,2%</td>' in html


def test_footnotes() -> None:
    html = render_markdown("Cijfer.[^per]\n\n[^per]: PER 2025, n = 5.558.\n", lang="nl")
    assert '<sup id="fnref:per"><a class="footnote-ref" href="#fn:per"' in html
    assert '<div class="footnote">' in html
    assert '<li id="fn:per">' in html
    assert 'title="Terug naar voetnoot 1 in de tekst"' in html
    assert 'title="Jump back to footnote 1 in the text"' in render_markdown("A.[^1]\n\n[^1]: B.\n", lang="en")


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "important", "key"])
def test_callouts(kind: str) -> None:
    html = render_markdown(f"/// {kind} | Let op\nTekst met **nadruk**.\n///\n")
    assert html == (
        f'<div class="admonition {kind}">\n<p class="admonition-title">Let op</p>\n'
        f"<p>Tekst met <strong>nadruk</strong>.</p>\n</div>"
    )


def test_callout_default_titles_follow_the_language() -> None:
    assert '<p class="admonition-title">Kernboodschap</p>' in render_markdown("/// key\nX\n///\n", lang="nl")
    assert '<p class="admonition-title">Key message</p>' in render_markdown("/// key\nX\n///\n", lang="en")


def test_nested_callouts() -> None:
    html = render_markdown("/// note | Buiten\nA\n//// tip | Binnen\nB\n////\n///\n")
    assert html.count('<div class="admonition') == 2


@pytest.mark.parametrize(
    "source",
    [
        "Neem contact op met {vertrouwenspersoon_contact}",
        "Neem contact op met {vertrouwenspersoon_contact}\n",
        "Bel {mior_contact}, {hr_contact} of {bedrijfsmaatschappelijk_werk_contact}.",
        "## Hulp bij {organisatie_naam} {hr_contact}",
        "- Meld het bij {mior_contact}",
        "| Wie | Contact |\n|--|--|\n| Vertrouwenspersoon | {vertrouwenspersoon_contact} |",
        "Tekst {vertrouwenspersoon_contact}\n{: .klasse}",
    ],
)
def test_placeholders_survive_literally(source: str) -> None:
    """attr_list is not enabled, so a `{...}` at the end of a paragraph or heading is kept as written."""
    html = render_markdown(source)
    for name in ("vertrouwenspersoon_contact", "mior_contact", "hr_contact", "organisatie_naam"):
        if "{" + name + "}" in source:
            assert "{" + name + "}" in html


def test_placeholder_as_link_target_survives() -> None:
    html = render_markdown("[De meldpagina]({intranet_meldpagina})")
    assert 'href="{intranet_meldpagina}"' in html


def test_images_stay_relative_and_keep_their_alt_text() -> None:
    html = render_markdown('![Twee collega\'s](media/gesprek.png "Gesprek")')
    assert '<img alt="Twee collega\'s" src="media/gesprek.png" title="Gesprek">' in html


def test_links_get_rel_and_keep_allowed_schemes() -> None:
    html = render_markdown("[a](https://x.nl) [b](mailto:a@b.nl) [c](../andere-les) [d](#kop)")
    for href in ("https://x.nl", "mailto:a@b.nl", "../andere-les", "#kop"):
        assert f'href="{href}"' in html
    assert 'rel="noopener noreferrer"' in html


def test_fenced_code() -> None:
    html = render_markdown("```\n/// check | x\n<script>alert(1)</script>\n```\n")
    assert html.startswith("<pre><code>/// check | x\n&lt;script&gt;")


def test_inline_renders_without_paragraph() -> None:
    assert Renderer().inline("Een **vette** keuze") == "Een <strong>vette</strong> keuze"
    assert Renderer().inline("") == ""


PAYLOADS = (
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)></svg>",
    "[klik](javascript:alert(1))",
    '<a href="javascript:alert(1)">a</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>',
    '<a href="vbscript:msgbox(1)">v</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name="x"></form>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))" onclick="x()">s</div>',
    "<object data=x></object><embed src=x>",
)
DANGEROUS = (
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "vbscript:",
    "data:",
    "<iframe",
    "<form",
    "<input",
    "<svg",
    "<style",
    "style=",
    "<object",
    "<embed",
    "alert(",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitize_strips_payloads(payload: str) -> None:
    html = sanitize(render_markdown(f"Tekst {payload} meer\n\n{payload}\n"))
    assert not [word for word in DANGEROUS if word in html.lower()], html


def _html_strings(value: object) -> Iterator[tuple[str, str]]:
    """Every `*html` string inside a model value, with its field name."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, str) and f.name.endswith("html"):
                yield f.name, item
            else:
                yield from _html_strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _html_strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _html_strings(item)


XSS_LESSON = """# Les

lesmarker {p}

/// check | vraag
    hint: hintmarker {p}
promptmarker {p}

- [x] (a) labelmarker {p}
    > feedbackmarker {p}
- [ ] (b) Nee
    > Niet juist.
///

/// scenario | scenario
    start: begin
intromarker {p}

//// scene | begin
scenemarker {p}

- (a) [choicemarker {p}](#einde)
    > choicefeedbackmarker {p}
////

//// scene | einde
    ending: good
endingmarker {p}
////
///

/// reflection | reflectie
reflectiemarker {p}
///

/// note | Let op
calloutmarker {p}
///

/// tip | tiptitelmarker {p}
tipmarker {p}
///

/// warning
warningmarker {p}
///

/// important
importantmarker {p}
///

/// key
keymarker {p}
///

| kolom | tabelkop {p} |
|--|--|
| cel | tabelmarker {p} |

## kopmarker {p}

voetnootmarker.[^v]

[^v]: voetnoottekstmarker {p}
"""
XSS_MODULE = """---
title: XSS
summary: Test.
estimated_minutes: 5
pass_mark: 50
languages: [nl]
lessons: [01-les]
assessment: {{}}
---
modulemarker {p}
"""
XSS_ASSESSMENT = """assessmentmarker {p}

/// question | toets
    hint: toetshintmarker {p}
toetsmarker {p}

- [x] (a) toetslabelmarker {p}
    > toetsfeedbackmarker {p}
///
"""
MARKERS = (
    "lesmarker",
    "hintmarker",
    "promptmarker",
    "labelmarker",
    "feedbackmarker",
    "intromarker",
    "scenemarker",
    "choicemarker",
    "choicefeedbackmarker",
    "endingmarker",
    "reflectiemarker",
    "calloutmarker",
    "tiptitelmarker",
    "tipmarker",
    "warningmarker",
    "importantmarker",
    "keymarker",
    "tabelkop",
    "tabelmarker",
    "kopmarker",
    "voetnoottekstmarker",
    "modulemarker",
    "assessmentmarker",
    "toetsmarker",
    "toetshintmarker",
    "toetslabelmarker",
    "toetsfeedbackmarker",
)


def _payload_module(tmp_path: Path, payload: str) -> tuple[Module | None, list[str]]:
    module_dir = tmp_path / "xss"
    if module_dir.exists():
        shutil.rmtree(module_dir)
    module_dir.mkdir(parents=True)
    inline = payload.replace("\n", " ")
    (module_dir / "module.md").write_text(XSS_MODULE.format(p=inline), encoding="utf-8")
    (module_dir / "01-les.nl.md").write_text(XSS_LESSON.format(p=inline), encoding="utf-8")
    (module_dir / "assessment.nl.md").write_text(XSS_ASSESSMENT.format(p=inline), encoding="utf-8")
    module, problems = build_module(module_dir, tmp_path)
    return module, [p.message for p in problems if p.severity == "error"]


def test_the_payload_module_has_every_block_type() -> None:
    """A new block type or callout must be added to XSS_LESSON/XSS_ASSESSMENT, or this fails."""
    text = XSS_LESSON + XSS_ASSESSMENT
    for kind in (*BLOCK_TYPES, *ADMONITION_TYPES):
        assert f"/// {kind}" in text, kind
    for part in ("//// scene |", "ending:", "hint:", "/// tip | ", "|--|", "[^v]:", "## "):
        assert part in text, part


def test_the_payload_module_is_fine_without_a_payload(tmp_path: Path) -> None:
    module, errors = _payload_module(tmp_path, "veilig")
    assert errors == []
    assert module is not None
    texts = " ".join(html for _name, html in _html_strings(module))
    for marker in MARKERS:
        assert f"{marker} veilig" in texts, marker


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_stripped_in_every_block_type(tmp_path: Path, payload: str) -> None:
    module, _errors = _payload_module(tmp_path, payload)
    assert module is not None
    strings = list(_html_strings(module))
    joined = " ".join(html for _name, html in strings)
    for marker in MARKERS:  # each block type really got the payload
        assert marker in joined, marker
    for name, html in strings:
        found = [word for word in DANGEROUS if word in html.lower()]
        assert not found, f"{name}: {html}"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("<script>alert(1)</script>", "raw HTML <script> is not allowed"),
        ("<img src=x onerror=alert(1) alt=x>", "event handler attribute 'onerror' is not allowed"),
        ("[klik](javascript:alert(1))", "'javascript:' links are not allowed"),
        ('<iframe src="x"></iframe>', "raw HTML <iframe> is not allowed"),
        ("<form></form>", "raw HTML <form> is not allowed"),
    ],
)
def test_forbidden_html_is_reported_in_every_block_type(tmp_path: Path, payload: str, message: str) -> None:
    _module, errors = _payload_module(tmp_path, payload)
    assert errors.count(message) == len(MARKERS)  # one per place it was written
    with pytest.raises(ContentErrors):
        load_module(tmp_path / "xss", tmp_path)


def test_valid_module_html_contains_no_dangerous_markup() -> None:
    module = load_module(VALID_ROOT / VALID_SLUG, VALID_ROOT)
    for name, html in _html_strings(module):
        assert not [word for word in DANGEROUS if word in html.lower()], name
