"""The four modules that ship in content/modules/ meet the content brief's quality bar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from elearning.content import Catalog, Module, Question, Reflection, Scenario, check, load_catalog

ROOT = Path(__file__).resolve().parent.parent / "content" / "modules"
SLUGS = ["a-herkennen", "b-omstander", "c-melden-en-steun", "d-leidinggevenden"]
# Every percentage the content may quote: the figures of ../shared/CONTENT-BRIEF.md (PER 2025, PER 2023).
ALLOWED_PERCENTAGES = {
    "30.5",
    "12.8",
    "4.2",
    "3.9",
    "3.4",
    "17.4",
    "8.4",
    "6.1",
    "3.7",
    "6.8",
    "5.1",
    "14",
    "25",
    "30",
    "50",
    "38",
    "80",
    "100",
}  # 80: the pass mark; 100: "100% sure" in plain speech
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?(?:%|procent|per cent|percent)")
WORDS_PER_MINUTE = 200


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT)


def _questions(module: Module, lang: str) -> list[Question]:
    found = [p for lesson in module.lessons for p in lesson.text(lang).parts if isinstance(p, Question)]
    return found + (list(module.assessment.text(lang).questions) if module.assessment else [])


def _scenarios(module: Module, lang: str) -> list[Scenario]:
    return [p for lesson in module.lessons for p in lesson.text(lang).parts if isinstance(p, Scenario)]


def _paths_to_good_endings(scenario: Scenario) -> int:
    """Number of distinct loop-free routes from the start to a good ending."""

    def walk(scene_id: str, seen: frozenset[str]) -> int:
        scene = scenario.scene(scene_id)
        assert scene is not None
        if scene.ending:
            return 1 if scene.ending == "good" else 0
        return sum(walk(c.target, seen | {c.target}) for c in scene.choices if c.target not in seen)

    return walk(scenario.start, frozenset({scenario.start}))


def test_content_check_is_clean() -> None:
    problems = check(ROOT)
    assert [str(p) for p in problems] == []


def test_all_four_modules_ship_in_dutch_and_english(catalog: Catalog) -> None:
    assert sorted(catalog.modules) == SLUGS
    for module in catalog.modules.values():
        assert module.languages == ("nl", "en")
        for lesson in module.lessons:
            assert set(lesson.texts) == {"nl", "en"}, f"{module.slug}/{lesson.slug}"
    assert catalog.module("d-leidinggevenden").audience == "managers"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_option_has_feedback(catalog: Catalog, lang: str) -> None:
    for module in catalog.modules.values():
        for question in _questions(module, lang):
            for option in question.options:
                assert option.feedback_html.strip(), f"{module.slug}: {question.id} ({option.id})"


@pytest.mark.parametrize("slug", ["a-herkennen", "d-leidinggevenden"])
def test_graded_assessment_draws_8_of_at_least_12(catalog: Catalog, slug: str) -> None:
    module = catalog.module(slug)
    assert module is not None and module.assessment is not None
    assert module.pass_mark == 80
    questions = module.assessment.text("nl").questions
    assert len(questions) >= 12
    import random

    assert len(module.assessment.draw(random.Random(1))) >= 8


@pytest.mark.parametrize(("slug", "minimum"), [("b-omstander", 2), ("d-leidinggevenden", 1)])
def test_scenarios_are_rich_enough(catalog: Catalog, slug: str, minimum: int) -> None:
    module = catalog.module(slug)
    assert module is not None
    scenarios = _scenarios(module, "nl")
    assert len(scenarios) >= minimum
    for scenario in scenarios:
        assert len(scenario.scenes) >= 8, scenario.id
        assert _paths_to_good_endings(scenario) >= 2, f"{scenario.id}: a good ending needs two routes"
        if slug == "b-omstander":  # the 5 D's apply to bystanders, not to a manager receiving a report
            assert any(c.tag for s in scenario.scenes for c in s.choices), f"{scenario.id}: no 5 D's tags"
        endings = {s.ending for s in scenario.scenes if s.ending}
        assert "good" in endings


def test_every_scene_of_every_scenario_is_reachable(catalog: Catalog) -> None:
    for module in catalog.modules.values():
        for scenario in _scenarios(module, "nl"):
            reached, todo = {scenario.start}, [scenario.start]
            while todo:
                scene = scenario.scene(todo.pop())
                assert scene is not None
                for choice in scene.choices:
                    if choice.target not in reached:
                        reached.add(choice.target)
                        todo.append(choice.target)
            assert reached == {s.id for s in scenario.scenes}, scenario.id


def test_every_module_ends_with_a_reflection(catalog: Catalog) -> None:
    for module in catalog.modules.values():
        assert any(isinstance(p, Reflection) for lesson in module.lessons for p in lesson.text("nl").parts), module.slug


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_figures_are_the_briefs_with_local_decimals(slug: str, lang: str) -> None:
    for path in sorted((ROOT / slug).glob("*.md")):
        if not path.name.endswith(f".{lang}.md") and not (lang == "nl" and path.name == "module.md"):
            continue
        text = path.read_text(encoding="utf-8")
        for match in PERCENT.finditer(text):
            number = match.group(1)
            assert number.replace(",", ".") in ALLOWED_PERCENTAGES, f"{path.name}: {match.group(0)} is not in the brief"
            if lang == "nl":
                assert "." not in number, f"{path.name}: Dutch decimals use a comma: {match.group(0)}"
            else:
                assert "," not in number, f"{path.name}: English decimals use a point: {match.group(0)}"


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_estimated_minutes_match_the_text(catalog: Catalog, slug: str, lang: str) -> None:
    module = catalog.module(slug)
    assert module is not None
    files = [p for p in (ROOT / slug).glob(f"*.{lang}.md")] + ([ROOT / slug / "module.md"] if lang == "nl" else [])
    words = sum(
        len(re.findall(r"\w+", re.sub(r"^(///+|    \w+:).*$", "", p.read_text(encoding="utf-8"), flags=re.M)))
        for p in files
    )
    minutes = words / WORDS_PER_MINUTE
    assert 0.7 * module.estimated_minutes <= minutes <= 1.3 * module.estimated_minutes, (
        f"{slug} ({lang}): {words} words ≈ {minutes:.1f} min, front matter says {module.estimated_minutes}"
    )


def test_the_care_features_ship_in_the_content(catalog: Catalog) -> None:
    """A lesson and a scenario with a content warning, and effect questions in the bystander and recognising modules."""
    warned = [lesson for m in catalog.modules.values() for lesson in m.lessons if lesson.text("nl").warning_html]
    assert warned and all(lesson.text(lang).summary_html for lesson in warned for lang in ("nl", "en"))
    scenarios = [s for m in catalog.modules.values() for lang in ("nl", "en") for s in _scenarios(m, lang)]
    assert any(s.warning_html and s.summary_html for s in scenarios)
    for slug in ("a-herkennen", "b-omstander"):
        module = catalog.module(slug)
        assert module is not None and module.effect is not None
        assert module.effect.names == ("pre", "post", "follow-up") and module.effect.follow_up_days == 60
