"""Property tests: whatever an author types, the loader yields a Module or raises ContentErrors."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elearning.content import ContentErrors, Module, load_module
from elearning.content.parse import FileKind, parse_file
from elearning.content.parsed import Report
from elearning.content.render import Renderer

FRAGMENTS = (
    "/// check | vraag",
    "/// question | vraag",
    "/// scenario | sc",
    "/// reflection | r",
    "/// note | Let op",
    "/// key",
    "/// quiz | x",
    "/// check",
    "/// check vraag",
    "///",
    "////",
    "//// scene | begin",
    "//// scene | einde",
    "//// tip",
    "/////",
    "    multiple: true",
    "    hint: {hr_contact}",
    "    pool: p",
    "    start: begin",
    "    ending: good",
    "    ending: [",
    "    title: 'x",
    "- [x] (a) Ja",
    "- [ ] (b) Nee",
    "- [ ] zonder id",
    "- (a) [Verder](#einde)",
    "- (b) [Terug](#begin)",
    "- [geen id](#einde)",
    "    > feedback",
    ">",
    "    tag: distract",
    "    tag: onzin",
    "# Titel",
    "## Kop",
    "---",
    "```",
    "~~~",
    "",
    "{vertrouwenspersoon_contact}",
    "{onbekend}",
    "<script>x</script>",
    "<img src=x onerror=y>",
    "[a](javascript:x)",
    "![](media/x.png)",
    "| a | b |",
    "|---|---|",
    "[^1]: voetnoot",
    "tekst[^1]",
    "\t- tab",
    "\r",
    "\ufeff",
)

line = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30))
document = st.lists(line, max_size=40).map("\n".join)

MODULE = """---
title: Fuzz
summary: Fuzz.
estimated_minutes: 5
pass_mark: 50
languages: [nl, en]
lessons: [01-les]
assessment:
  pools:
    p: 1
---
Intro.
"""


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(document, st.text(max_size=400)))
def test_parse_file_never_crashes(text: str) -> None:
    kinds: tuple[FileKind, ...] = ("lesson", "assessment", "intro")
    for kind in kinds:
        report = Report()
        parsed = parse_file(text, "m/01-les.nl.md", kind, Renderer("nl"), report)
        assert all(p.path == "m/01-les.nl.md" and p.line >= 0 for p in report.problems)
        assert all(isinstance(part, object) for part in parsed.parts)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nl=document, en=document, assessment=document, module_md=st.one_of(st.just(MODULE), document))
def test_load_module_yields_a_module_or_content_errors(nl: str, en: str, assessment: str, module_md: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        module_dir = root / "fuzz"
        module_dir.mkdir()
        (module_dir / "module.md").write_text(module_md, encoding="utf-8", errors="surrogatepass")
        (module_dir / "module.en.md").write_text("---\ntitle: F\nsummary: F.\n---\n", encoding="utf-8")
        (module_dir / "01-les.nl.md").write_text(nl, encoding="utf-8", errors="surrogatepass")
        (module_dir / "01-les.en.md").write_text(en, encoding="utf-8", errors="surrogatepass")
        (module_dir / "assessment.nl.md").write_text(assessment, encoding="utf-8", errors="surrogatepass")
        (module_dir / "assessment.en.md").write_text(assessment, encoding="utf-8", errors="surrogatepass")
        try:
            module = load_module(module_dir, root)
        except ContentErrors as exc:
            assert exc.errors
            assert any(e.severity == "error" for e in exc.errors)
            assert all(e.path.startswith("fuzz/") for e in exc.errors)
        else:
            assert isinstance(module, Module)


VALID = Path(__file__).parent / "fixtures" / "valid" / "a-voorbeeld"
SOURCE_FILES = sorted(p.name for p in VALID.glob("*.md"))

mutation = st.tuples(
    st.sampled_from(("delete", "duplicate", "insert", "swap", "indent", "dedent")),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=200),
    st.sampled_from(FRAGMENTS),
)


def _mutate(lines: list[str], op: str, i: int, j: int, fragment: str) -> None:
    if not lines:
        lines.append(fragment)
        return
    i, j = i % len(lines), j % len(lines)
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "insert":
        lines.insert(i, fragment)
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = "    " + lines[i]
    else:
        lines[i] = lines[i].lstrip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(SOURCE_FILES), mutation), min_size=1, max_size=6))
def test_mutated_valid_module_yields_a_module_or_content_errors(
    edits: list[tuple[str, tuple[str, int, int, str]]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        module_dir = root / "a-voorbeeld"
        (module_dir / "media").mkdir(parents=True)
        (module_dir / "media" / "collega-s.png").write_bytes((VALID / "media" / "collega-s.png").read_bytes())
        files = {name: (VALID / name).read_text(encoding="utf-8").split("\n") for name in SOURCE_FILES}
        for name, (op, i, j, fragment) in edits:
            _mutate(files[name], op, i, j, fragment)
        for name, lines in files.items():
            (module_dir / name).write_text("\n".join(lines), encoding="utf-8")
        try:
            module = load_module(module_dir, root)
        except ContentErrors as exc:
            assert any(e.severity == "error" for e in exc.errors)
            assert all(e.line >= 1 for e in exc.errors), [str(e) for e in exc.errors]
        else:
            assert module.slug == "a-voorbeeld"
