"""Parser details: tolerance for how people really type, and checks that must not cry wolf."""

from __future__ import annotations

import pytest

from elearning.content import Question, Reflection, Scenario
from elearning.content.parse import FileKind, parse_file, read_lines
from elearning.content.parsed import ParsedFile, Report
from elearning.content.render import Renderer
from elearning.content.validate import check_source

CHECK = """# Les

/// check | vraag
Wat is juist?

- [ ] (a) Fout.
    > Niet juist.
- [x] (b) Goed.
    > Juist.
///
"""


def _parse(text: str, kind: FileKind = "lesson") -> tuple[ParsedFile, list[str]]:
    report = Report()
    parsed = parse_file(text, "m/01-les.nl.md", kind, Renderer("nl"), report)
    return parsed, [str(p) for p in report.problems]


def _source_messages(text: str) -> list[str]:
    report = Report()
    check_source(read_lines(text), "m/x.nl.md", report)
    return [p.message for p in report.problems]


def test_a_plain_check() -> None:
    parsed, problems = _parse(CHECK)
    assert problems == []
    (question,) = [p for p in parsed.parts if isinstance(p, Question)]
    assert [(o.id, o.correct) for o in question.options] == [("a", False), ("b", True)]
    assert question.line == 3


@pytest.mark.parametrize(
    "variant",
    [
        CHECK.replace("\n", "\r\n"),  # Windows line endings
        "\ufeff" + CHECK,  # a byte order mark
        CHECK.replace("    >", "\t>"),  # tabs instead of four spaces
        CHECK.replace("- [", "* ["),  # another bullet
        CHECK.replace("[x]", "[X]"),  # capital X
        CHECK.replace("\n    > Niet juist.", "\n> Niet juist."),  # feedback not indented
        CHECK.replace("///\n", "///   \n"),  # trailing spaces after the closing fence
        CHECK.replace("/// check | vraag", "///check|vraag"),  # no spaces in the header
    ],
)
def test_tolerated_variants(variant: str) -> None:
    parsed, problems = _parse(variant)
    assert problems == []
    (question,) = [p for p in parsed.parts if isinstance(p, Question)]
    assert question.correct_ids == {"b"}
    assert all(o.feedback_html for o in question.options)


def test_multi_line_label_and_feedback() -> None:
    longer = "- [x] (b) Goed,\n    echt goed.\n    > Juist.\n    >\n    > Tweede alinea."
    parsed, problems = _parse(CHECK.replace("- [x] (b) Goed.\n    > Juist.", longer))
    assert problems == []
    question = parsed.blocks[0].value
    assert isinstance(question, Question)
    option = question.option("b")
    assert option is not None
    assert option.label_html == "Goed, echt goed."
    assert option.feedback_html == "<p>Juist.</p>\n<p>Tweede alinea.</p>"


def test_blocks_inside_fenced_code_are_just_code() -> None:
    parsed, problems = _parse("# Les\n\n```\n/// check | x\n{onbekend} <script>\n```\n")
    assert problems == []
    assert parsed.blocks == []
    report = Report()
    check_source(read_lines("```\n<script>\n{onbekend}\n```\n`<iframe>` en `{ook_onbekend}`\n"), "p", report)
    assert report.problems == []


def test_scenario_start_defaults_to_the_first_scene() -> None:
    text = (
        "# Les\n\n/// scenario | s\n//// scene | a\nTekst.\n\n- (x) [Verder](#b)\n    > Ok.\n////\n\n"
        "//// scene | b\n    ending: acceptable\nEinde.\n////\n///\n"
    )
    parsed, problems = _parse(text)
    assert problems == []
    scenario = parsed.blocks[0].value
    assert isinstance(scenario, Scenario)
    assert scenario.start == "a"
    assert scenario.title == ""
    assert scenario.scenes[1].ending == "acceptable"


def test_yaml_errors_in_block_options_point_at_their_line() -> None:
    _parsed, problems = _parse(
        CHECK.replace("/// check | vraag\n", "/// check | vraag\n    multiple: true\n    hint: [onaf\n")
    )
    assert problems == [
        "m/01-les.nl.md:5: invalid YAML in the options of question 'vraag': "
        "expected ',' or ']', but got '<stream end>' (put text containing ': ' or starting "
        "with '{' in quotes)"
    ]


def test_hint_that_is_a_yaml_mapping_gets_a_friendly_message() -> None:
    _parsed, problems = _parse(CHECK.replace("/// check | vraag\n", "/// check | vraag\n    hint: {hr_contact}\n"))
    assert problems == ["m/01-les.nl.md:4: option 'hint' of question 'vraag' must be text (put it in quotes)"]


def test_reflection_and_callout_order_is_kept() -> None:
    text = "# Les\n\nEerst.\n\n/// tip\nTip.\n///\n\n/// reflection | r\nDenk na.\n///\n\nDaarna.\n"
    parsed, problems = _parse(text)
    assert problems == []
    kinds = [type(p).__name__ for p in parsed.parts]
    assert kinds == ["HtmlPart", "Reflection", "HtmlPart"]
    assert "admonition tip" in parsed.parts[0].html  # type: ignore[union-attr]
    assert isinstance(parsed.parts[1], Reflection)


def test_footnotes_and_anchors_work_across_blocks() -> None:
    text = "# Les\n\n## Kop\n\nZie[^1].\n\n" + CHECK.split("\n", 2)[2] + "\n## Kop\n\n[^1]: Bron.\n"
    parsed, problems = _parse(text)
    assert problems == []
    first, _question, last = parsed.parts
    assert '<h2 id="kop">' in first.html  # type: ignore[union-attr]
    assert '<h2 id="kop_1">' in last.html  # type: ignore[union-attr]  # unique across the whole lesson
    assert 'href="#fn:1"' in first.html and 'id="fn:1"' in last.html  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("<https://site.nl/online=1>", []),
        ("tekst on=1 en (zie javascript hieronder)", []),
        ('<b onclick="x">', ["event handler attribute 'onclick' is not allowed"]),
        ("<svg/onload=alert(1)>", ["event handler attribute 'onload' is not allowed"]),
        ("<SCRIPT src=x></SCRIPT>", ["raw HTML <script> is not allowed"]),
        ("[x]( javascript:alert(1))", ["'javascript:' links are not allowed"]),
        ("[x]: javascript:alert(1)", ["'javascript:' links are not allowed"]),
        ("![Alt](https://example.org/foto.png)", []),
        ("![Alt]({intranet_meldpagina})", []),
        ("Zie `{geen_placeholder}` en {hr_contact}.", []),
        ("{{hr_contact}}", []),
        ("Bel {Hr_Contact}.", ["unknown placeholder {Hr_Contact}; did you mean {hr_contact}?"]),
    ],
)
def test_source_checks(text: str, messages: list[str]) -> None:
    assert _source_messages(text) == messages


def test_placeholders_used_are_collected() -> None:
    report = Report()
    used = check_source(read_lines("---\ntitle: Bij {organisatie_naam}\n---\nBel {hr_contact}.\n"), "p", report)
    assert used == {"organisatie_naam", "hr_contact"}


def test_blocks_that_do_not_belong_in_a_module_introduction() -> None:
    _parsed, problems = _parse("Intro.\n\n/// check | a\nx\n///\n\n/// note\nMag wel.\n///\n", kind="intro")
    assert problems == ["m/01-les.nl.md:3: check blocks are not allowed in 01-les.nl.md; put them in a lesson"]


def test_assessment_text_after_the_first_question() -> None:
    question = CHECK.split("\n", 2)[2].replace("check", "question")
    parsed, problems = _parse("Intro.\n\n" + question + "\nNa de vraag.\n", kind="assessment")
    assert parsed.intro_html == "<p>Intro.</p>"
    assert problems == [
        "m/01-les.nl.md:12: only '/// question' blocks can follow the first question in "
        "01-les.nl.md: move this text above the first question"
    ]
