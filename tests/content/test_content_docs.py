"""The examples in docs/authoring.md are valid: copied into a module, they pass the checker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from elearning.content import check, load_module

DOC = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
FENCE = re.compile(r"^(`{3,})markdown\n(.*?)^\1$", re.MULTILINE | re.DOTALL)


def _examples() -> list[str]:
    return [m.group(2) for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))]


def _example(start: str) -> str:
    found = [text for text in _examples() if text.startswith(start)]
    assert len(found) == 1, f"no single example starting with {start!r}"
    return found[0]


@pytest.mark.skipif(not DOC.exists(), reason="docs/authoring.md is not there")
def test_the_authoring_guide_examples_pass_the_checker(tmp_path: Path) -> None:
    module_dir = tmp_path / "a-herkennen"
    (module_dir / "media").mkdir(parents=True)
    (module_dir / "media" / "collega-s-in-gesprek.png").write_bytes(b"png")
    module_md = _example("---\ntitle: Herkennen")
    module_md = module_md.replace("begrippen: 2", "begrippen: 1").replace("situaties: 3", "situaties: 1")
    (module_dir / "module.md").write_text(module_md, encoding="utf-8")
    (module_dir / "module.en.md").write_text(_example("---\ntitle: Recognise"), encoding="utf-8")
    lesson_1 = "\n".join(
        [
            _example("# Wat is ongewenst gedrag?"),
            _example("/// check | herkennen-grap"),
            _example("/// reflection | eigen-team"),
            _example("/// key | Kernboodschap"),
        ]
    )
    # The second lesson: the content warning examples of section 17 and the scenario of section 6.
    lesson_2 = "\n".join(
        [
            _example("---\nwarning:"),
            _example("/// scenario | balie"),
            _example("/// scenario | vergadering-accent"),
        ]
    )
    assessment = _example("Deze toets bestaat")
    effect = _example("Deze vragen gaan over")
    for lang in ("nl", "en"):
        (module_dir / f"01-wat-is-ongewenst-gedrag.{lang}.md").write_text(lesson_1, encoding="utf-8")
        (module_dir / f"02-gronden.{lang}.md").write_text(lesson_2, encoding="utf-8")
        (module_dir / f"assessment.{lang}.md").write_text(assessment, encoding="utf-8")
        (module_dir / f"effect.{lang}.md").write_text(effect, encoding="utf-8")
    assert [str(p) for p in check(module_dir)] == []
    module = load_module(module_dir, tmp_path)
    assert module.placeholders == {"vertrouwenspersoon_contact", "mior_contact"}
    lesson = module.lesson("02-gronden")
    assert lesson is not None and lesson.text("nl").warning_html and lesson.text("nl").summary_html
    assert [s.warning_html is not None for s in lesson.text("nl").scenarios] == [True, False]
    assert module.effect is not None and module.effect.names == ("pre", "post", "follow-up")
    assert module.effect.follow_up_days == 60
