"""Immutable values the content layer hands to the rest of the app; built once at load, never mutated."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Ending = Literal["good", "acceptable", "poor"]
Audience = Literal["all", "managers"]
Severity = Literal["error", "warning"]
TAGS = ("distract", "delegate", "document", "delay", "direct")
# The sets of an effect measurement, in the order a learner meets them.
EFFECT_SETS = ("pre", "post", "follow-up")
EFFECT_SCALE = (1, 2, 3, 4, 5)
FOLLOW_UP_DAYS = 60


@dataclass(frozen=True)
class ContentError:
    """One problem in a source file, pointing at file:line so an author can fix it."""

    path: str
    line: int
    message: str
    severity: Severity = "error"
    category: str = ""  # "plain-language" for the plain-language check's warnings; "" for the rest

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class ContentErrors(Exception):  # named in the plural: it carries every error, not one
    """Raised when a module cannot be built; carries every error found, not only the first."""

    def __init__(self, errors: list[ContentError] | tuple[ContentError, ...]):
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Option:
    """An answer option of a question, with the feedback shown when it is chosen."""

    id: str
    label_html: str
    correct: bool
    feedback_html: str


@dataclass(frozen=True)
class Question:
    """A knowledge check (graded=False) or an assessment question (graded=True)."""

    id: str
    graded: bool
    multiple: bool
    prompt_html: str
    options: tuple[Option, ...]
    hint_html: str | None = None
    pool: str | None = None
    line: int = 0

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class ScenarioChoice:
    """A choice in a scene that leads to another scene."""

    id: str
    label_html: str
    target: str
    feedback_html: str
    tag: str | None = None


@dataclass(frozen=True)
class Scene:
    """One step of a branching scenario; an ending when `ending` is set."""

    id: str
    html: str
    choices: tuple[ScenarioChoice, ...] = ()
    ending: Ending | None = None

    def choice(self, choice_id: str) -> ScenarioChoice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Scenario:
    """A branching scenario: named scenes joined by choices."""

    id: str
    title: str
    intro_html: str
    start: str
    scenes: tuple[Scene, ...]
    line: int = 0
    warning_html: str | None = None  # shown before the scenario starts
    summary_html: str | None = None  # what a learner may read instead of walking it (required with a warning)

    def scene(self, scene_id: str) -> Scene | None:
        return next((s for s in self.scenes if s.id == scene_id), None)


@dataclass(frozen=True)
class Reflection:
    """A prompt whose answer stays in the learner's browser."""

    id: str
    prompt_html: str


@dataclass(frozen=True)
class HtmlPart:
    """Sanitised HTML between blocks."""

    html: str


Part = HtmlPart | Question | Scenario | Reflection


@dataclass(frozen=True)
class LessonText:
    """A lesson in one language."""

    title: str
    parts: tuple[Part, ...]
    source: str = ""
    # A content warning shown before the lesson, and the summary a learner may read instead (both HTML).
    warning_html: str | None = None
    summary_html: str | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(p for p in self.parts if isinstance(p, Question))

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return tuple(p for p in self.parts if isinstance(p, Scenario))


@dataclass(frozen=True)
class Lesson:
    """A lesson, keyed by its slug, with one text per language."""

    slug: str
    texts: Mapping[str, LessonText]
    default_language: str = "nl"

    def text(self, lang: str) -> LessonText:
        return self.texts.get(lang) or self.texts[self.default_language]


@dataclass(frozen=True)
class AssessmentText:
    """The graded questions of a module in one language."""

    intro_html: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Assessment:
    """The graded part of a module: questions, pools to draw from, and whether options are shuffled."""

    texts: Mapping[str, AssessmentText]
    pools: Mapping[str, int] = field(default_factory=dict)
    shuffle_options: bool = False
    default_language: str = "nl"

    def text(self, lang: str) -> AssessmentText:
        return self.texts.get(lang) or self.texts[self.default_language]

    def draw(self, rng: random.Random) -> tuple[str, ...]:
        """Pick the question ids of one attempt: every unpooled question plus N from each pool."""
        questions = self.texts[self.default_language].questions
        chosen = [q.id for q in questions if q.pool is None]
        for pool, count in self.pools.items():
            members = [q.id for q in questions if q.pool == pool]
            chosen.extend(rng.sample(members, min(count, len(members))))
        order = {q.id: i for i, q in enumerate(questions)}
        return tuple(sorted(chosen, key=order.__getitem__))


@dataclass(frozen=True)
class EffectItem:
    """A statement the learner rates from 1 to 5, keyed by its id in every set and language."""

    id: str
    text_html: str


@dataclass(frozen=True)
class EffectSet:
    """One question set of an effect measurement (pre, post or follow-up) in one language."""

    name: str
    intro_html: str
    items: tuple[EffectItem, ...]
    low_html: str | None = None  # what 1 means, e.g. "not at all"; None: the interface's default
    high_html: str | None = None  # what 5 means
    after_days: int | None = None  # follow-up only: offered this many days after completion
    line: int = 0

    def item(self, item_id: str) -> EffectItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True)
class Effect:
    """A module's effect measurement: its question sets per language (answers are stored anonymously)."""

    texts: Mapping[str, Mapping[str, EffectSet]]
    default_language: str = "nl"
    intros: Mapping[str, str] = field(default_factory=dict)  # the text above the first set, per language

    def intro(self, lang: str) -> str:
        return self.intros.get(lang) or self.intros.get(self.default_language, "")

    @property
    def names(self) -> tuple[str, ...]:
        """The sets this module has, in EFFECT_SETS order."""
        sets = self.texts[self.default_language]
        return tuple(name for name in EFFECT_SETS if name in sets)

    def set(self, name: str, lang: str) -> EffectSet | None:
        sets = self.texts.get(lang) or self.texts[self.default_language]
        return sets.get(name)

    @property
    def follow_up_days(self) -> int:
        follow_up = self.texts[self.default_language].get("follow-up")
        return (follow_up.after_days if follow_up else None) or FOLLOW_UP_DAYS


@dataclass(frozen=True)
class ModuleText:
    """Title, summary and introduction of a module in one language."""

    title: str
    summary: str
    intro_html: str


@dataclass(frozen=True)
class Module:
    """A training module as authored in content/modules/<slug>/."""

    slug: str
    version: str
    audience: Audience
    estimated_minutes: int
    languages: tuple[str, ...]
    texts: Mapping[str, ModuleText]
    lessons: tuple[Lesson, ...]
    pass_mark: int | None = None
    assessment: Assessment | None = None
    placeholders: frozenset[str] = frozenset()
    effect: Effect | None = None

    def effect_set(self, name: str, lang: str) -> EffectSet | None:
        """The named effect question set in `lang`, if the module has it."""
        return self.effect.set(name, lang) if self.effect is not None else None

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def text(self, lang: str) -> ModuleText:
        return self.texts.get(lang) or self.texts[self.default_language]

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def lesson_index(self, slug: str) -> int | None:
        return next((i for i, lesson in enumerate(self.lessons) if lesson.slug == slug), None)


@dataclass(frozen=True)
class Catalog:
    """Every valid module, plus the problems of the ones left out (and warnings of the ones kept)."""

    modules: Mapping[str, Module]
    problems: tuple[ContentError, ...] = ()
    version: str = ""
    root: str = ""

    def module(self, slug: str) -> Module | None:
        return self.modules.get(slug)

    @property
    def errors(self) -> tuple[ContentError, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def problems_for(self, slug: str) -> tuple[ContentError, ...]:
        prefix = f"{slug}/"
        return tuple(p for p in self.problems if p.path.startswith(prefix) or p.path == slug)
