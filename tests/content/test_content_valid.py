"""The valid example module loads into the expected values."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from elearning.content import (
    Assessment,
    AssessmentText,
    HtmlPart,
    Module,
    Option,
    Question,
    Reflection,
    Scenario,
    check,
    load_catalog,
    load_module,
)

from .conftest import VALID_ROOT, VALID_SLUG


@pytest.fixture(scope="module")
def module() -> Module:
    return load_module(VALID_ROOT / VALID_SLUG, VALID_ROOT)


def test_the_valid_fixture_has_no_problems() -> None:
    assert check(VALID_ROOT) == []
    assert check(VALID_ROOT / VALID_SLUG) == []


def test_module_values(module: Module) -> None:
    assert module.slug == VALID_SLUG
    assert module.audience == "all"
    assert module.estimated_minutes == 10
    assert module.pass_mark == 80
    assert module.languages == ("nl", "en")
    assert module.default_language == "nl"
    assert module.text("nl").title == "Voorbeeld"
    assert module.text("en").title == "Example"
    assert module.text("de").title == "Voorbeeld"  # unknown language falls back to the default
    assert module.text("en").intro_html == (
        "<p>Welcome to this <strong>example</strong>. Questions? Contact {vertrouwenspersoon_contact}.</p>"
    )
    assert module.placeholders == frozenset({"vertrouwenspersoon_contact", "mior_contact", "intranet_meldpagina"})
    assert len(module.version) == 12
    int(module.version, 16)


def test_lessons_and_their_parts(module: Module) -> None:
    assert [lesson.slug for lesson in module.lessons] == ["01-herkennen", "02-omstander"]
    assert module.lesson_index("02-omstander") == 1
    first = module.lesson("01-herkennen")
    assert first is not None
    nl, en = first.text("nl"), first.text("en")
    assert nl.title == "Wat is ongewenst gedrag?"
    assert en.title == "What is unwanted behaviour?"
    assert nl.source == f"{VALID_SLUG}/01-herkennen.nl.md"
    kinds = [type(part).__name__ for part in nl.parts]
    assert kinds == ["HtmlPart", "Question", "HtmlPart", "Reflection", "HtmlPart"]
    assert "<h1" not in nl.parts[0].html  # type: ignore[union-attr]  # the title is not repeated in the body
    question = nl.questions[0]
    assert question == Question(
        id="herkennen-grap",
        graded=False,
        multiple=False,
        prompt_html='<p>Een collega maakt een "grapje" over de hoofddoek van een collega. Wat is dit?</p>',
        options=(
            Option("a", "Een onschuldige grap.", False, "<p>Niet juist. Het effect telt.</p>"),
            Option(
                "b",
                "Mogelijk ongewenst gedrag.",
                True,
                "<p>Juist. Het effect telt,\nook als het zo niet bedoeld is.</p>",
            ),
        ),
        hint_html="Denk aan het effect, niet aan de bedoeling.",
        pool=None,
        line=18,
    )
    assert question.correct_ids == frozenset({"b"})
    assert isinstance(nl.parts[3], Reflection)
    assert nl.parts[3].prompt_html == "<p>Wat zou jij doen in jouw eigen team?</p>"


def test_scenario(module: Module) -> None:
    lesson = module.lesson("02-omstander")
    assert lesson is not None
    (scenario,) = lesson.text("nl").scenarios
    assert isinstance(scenario, Scenario)
    assert (scenario.id, scenario.title, scenario.start, scenario.line) == (
        "vergadering",
        "Het werkoverleg",
        "begin",
        12,
    )
    assert scenario.intro_html == "<p>Tijdens het werkoverleg wordt Samira steeds onderbroken.</p>"
    assert [s.id for s in scenario.scenes] == [
        "begin",
        "na-stilte",
        "na-afleiden",
        "goed-einde",
        "slecht-einde",
    ]
    begin = scenario.scene("begin")
    assert begin is not None
    assert [(c.id, c.target, c.tag) for c in begin.choices] == [
        ("stil", "na-stilte", None),
        ("afleiden", "na-afleiden", "distract"),
    ]
    choice = begin.choice("afleiden")
    assert choice is not None
    assert choice.label_html == 'Ik vraag: "Zullen we naar punt 3 gaan?"'
    assert choice.feedback_html == "<p>Je doorbreekt de situatie zonder confrontatie.</p>"
    endings = {s.id: s.ending for s in scenario.scenes if s.ending}
    assert endings == {"goed-einde": "good", "slecht-einde": "poor"}
    # the good ending is reachable by two routes
    routes = {c.target for s in scenario.scenes for c in s.choices if c.target == "goed-einde"}
    sources = [s.id for s in scenario.scenes if any(c.target == "goed-einde" for c in s.choices)]
    assert routes == {"goed-einde"} and sources == ["na-stilte", "na-afleiden"]
    en = lesson.text("en").scenarios[0]
    assert en.title == "The team meeting"
    assert [s.id for s in en.scenes] == [s.id for s in scenario.scenes]


def test_assessment(module: Module) -> None:
    assessment = module.assessment
    assert isinstance(assessment, Assessment)
    assert assessment.pools == {"begrippen": 1, "situaties": 2}
    assert assessment.shuffle_options is True
    nl = assessment.text("nl")
    assert isinstance(nl, AssessmentText)
    assert nl.intro_html == "<p>Beantwoord de vragen. Je hebt 80% goed nodig.</p>"
    assert [(q.id, q.pool, q.graded) for q in nl.questions] == [
        ("begrip-effect", "begrippen", True),
        ("begrip-grond", "begrippen", True),
        ("situatie-grap", "situaties", True),
        ("situatie-vergadering", "situaties", True),
        ("situatie-balie", "situaties", True),
        ("melden-route", None, True),
    ]
    multiple = nl.question("situatie-vergadering")
    assert multiple is not None and multiple.multiple and multiple.correct_ids == {"a", "b"}
    assert [q.id for q in assessment.text("en").questions] == [q.id for q in nl.questions]


def test_draw_takes_every_unpooled_question_and_n_per_pool(module: Module) -> None:
    assessment = module.assessment
    assert assessment is not None
    order = [q.id for q in assessment.text("nl").questions]
    seen: set[tuple[str, ...]] = set()
    for seed in range(40):
        drawn = assessment.draw(random.Random(seed))
        assert "melden-route" in drawn
        assert len([q for q in drawn if q.startswith("begrip-")]) == 1
        assert len([q for q in drawn if q.startswith("situatie-")]) == 2
        assert list(drawn) == sorted(drawn, key=order.index)  # kept in the authored order
        seen.add(drawn)
    assert len(seen) > 1  # it really draws
    assert assessment.draw(random.Random(7)) == assessment.draw(random.Random(7))


def test_draw_with_a_pool_larger_than_its_members() -> None:
    question = Question("q", True, False, "", (), pool="p")
    assessment = Assessment({"nl": AssessmentText("", (question,))}, pools={"p": 3})
    assert assessment.draw(random.Random(1)) == ("q",)


def test_values_are_frozen(module: Module) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        module.slug = "x"  # type: ignore[misc]


def test_every_html_part_is_non_empty(module: Module) -> None:
    for lesson in module.lessons:
        for text in lesson.texts.values():
            for part in text.parts:
                if isinstance(part, HtmlPart):
                    assert part.html.strip()


def test_catalog(copied_root: Path) -> None:
    catalog = load_catalog(copied_root)
    assert list(catalog.modules) == [VALID_SLUG]
    assert catalog.problems == ()
    assert catalog.root == str(copied_root)
    assert len(catalog.version) == 12
    assert catalog.module(VALID_SLUG) is not None
    assert catalog.module("nope") is None


def test_a_lesson_warning_and_summary_in_each_language(module: Module) -> None:
    lesson = module.lesson("02-omstander")
    assert lesson is not None
    nl, en = lesson.text("nl"), lesson.text("en")
    assert nl.warning_html == "Deze les laat voorbeelden van racisme op het werk zien."
    assert nl.summary_html is not None and "<strong>Veiligheid gaat voor.</strong>" in nl.summary_html
    assert en.warning_html == "This lesson shows examples of racism at work."
    assert module.lesson("01-welkom") is None or module.lessons[0].text("nl").warning_html is None


def test_a_scenario_warning_with_its_summary_in_each_language(module: Module) -> None:
    lesson = module.lesson("02-omstander")
    assert lesson is not None
    nl, en = lesson.text("nl").scenarios[0], lesson.text("en").scenarios[0]
    assert nl.warning_html == "Dit scenario laat racisme in een vergadering zien."
    assert nl.summary_html == "<p>Samira wordt uitgelachen. Je kunt afleiden of later steunen.</p>"
    assert en.warning_html == "This scenario shows racism in a meeting." and en.summary_html is not None


def test_the_effect_sets_in_each_language(module: Module) -> None:
    effect = module.effect
    assert effect is not None
    assert effect.names == ("pre", "post", "follow-up")
    assert effect.follow_up_days == 90
    pre = module.effect_set("pre", "nl")
    assert pre is not None and pre.line == 3
    assert [item.id for item in pre.items] == ["weet-melden", "durf-ingrijpen"]
    assert pre.items[1].text_html == "Ik durf in te grijpen als ik ongewenst gedrag zie."  # continued on a next line
    assert pre.low_html == "Helemaal mee oneens" and pre.high_html == "Helemaal mee eens"
    assert pre.intro_html == "<p>Hoe sta je er nu voor?</p>"
    post = module.effect_set("post", "en")
    assert post is not None and post.low_html is None and post.items[0].text_html.startswith("I know where")
    follow_up = module.effect_set("follow-up", "nl")
    assert follow_up is not None and follow_up.after_days == 90 and follow_up.intro_html == ""
    assert follow_up.items[0].text_html == "Ik weet waar ik <em>ongewenst gedrag</em> kan melden."
    assert effect.intro("en") == "<p>Your answers are anonymous.</p>"
    assert module.effect_set("pre", "de") == pre  # an unknown language falls back to the default
    assert module.effect_set("later", "nl") is None


def test_a_module_without_effect_files_has_no_effect(copied_root: Path) -> None:
    for path in (copied_root / VALID_SLUG).glob("effect.*.md"):
        path.unlink()
    module = load_module(copied_root / VALID_SLUG, copied_root)
    assert module.effect is None and module.effect_set("pre", "nl") is None
