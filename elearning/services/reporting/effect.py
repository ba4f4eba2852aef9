"""Effect measurement for HR: per unit the mean answer per statement before, after and at follow-up, with the change.

The anonymous counts (models/effect.py) are summed per unit in SQL, rolled up the organisation tree by the
materialised path like the completion report, and suppressed before anything leaves this module: a figure about
fewer than k people is hidden, and so is a second figure wherever a hidden one could be worked out by subtraction
(`unit total = people directly in the unit + the units below`, per set and statement). A mean is shown only with its
count, and a change only when both means are shown.

Only answers from months that have ended count (`through`): a figure changes once a month at most, so HR cannot watch
one person's answer arrive right after that person finished the module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...content import EFFECT_SCALE, Catalog, Module
from ...models import EffectAnswerCount, OrganisationUnit
from ..effect import month_of
from ..errors import NotFound
from .scope import ReportScope, tree_units
from .suppression import Cell, Hidden, Part, complete

Column = tuple[str, str]  # (set, statement id)


@dataclass(frozen=True)
class Mean:
    """The answers of one group to one statement in one set: how many, and their mean on the 1-5 scale."""

    count: int | None
    mean: float | None
    hidden: Hidden | None = None


@dataclass(frozen=True)
class Statement:
    """One statement of the unit's total: its mean per set and the change since before the module."""

    item_id: str
    text_html: str
    means: dict[str, Mean]

    def change(self, name: str) -> float | None:
        """Mean of `name` (post or follow-up) minus the mean before; None when either is missing or hidden."""
        before, later = self.means.get("pre"), self.means.get(name)
        if before is None or later is None or before.mean is None or later.mean is None:
            return None
        return round(later.mean - before.mean, 2)


@dataclass(frozen=True)
class UnitLine:
    """A line of the drill-down table: how many people answered each set, for a unit (total) or its own people."""

    unit: OrganisationUnit
    part: Part
    is_child: bool
    people: dict[str, Mean]


@dataclass(frozen=True)
class EffectReport:
    scope: ReportScope
    module: Module
    k: int
    through: date  # the last day whose answers count
    sets: tuple[str, ...]
    statements: list[Statement]
    lines: list[UnitLine]
    breadcrumbs: list[OrganisationUnit] = field(default_factory=list)


def modules_with_effect(catalog: Catalog) -> list[Module]:
    """The modules that ask effect questions, in catalogue order."""
    return [module for module in catalog.modules.values() if module.effect is not None]


def _sums(
    session: Session, scope: ReportScope, module: Module, before: date
) -> dict[int, dict[Column, tuple[int, int]]]:
    """Unit id → (set, statement) → (people, sum of their values), for the scope root's subtree; one GROUP BY."""
    counts = [getattr(EffectAnswerCount, f"count_{value}") for value in EFFECT_SCALE]
    query = (
        select(
            EffectAnswerCount.organisation_id,
            EffectAnswerCount.set_name,
            EffectAnswerCount.item_id,
            *(func.sum(count) for count in counts),
        )
        .where(
            EffectAnswerCount.module_slug == module.slug,
            EffectAnswerCount.month < before,
            EffectAnswerCount.organisation_id.in_(
                select(OrganisationUnit.id).where(OrganisationUnit.path.startswith(scope.root.path, autoescape=True))
            ),
        )
        .group_by(EffectAnswerCount.organisation_id, EffectAnswerCount.set_name, EffectAnswerCount.item_id)
    )
    result: dict[int, dict[Column, tuple[int, int]]] = {}
    for unit_id, name, item_id, *numbers in session.execute(query):
        people = sum(int(n or 0) for n in numbers)
        total = sum(value * int(n or 0) for value, n in zip(EFFECT_SCALE, numbers, strict=True))
        result.setdefault(unit_id, {})[(name, item_id)] = (people, total)
    return result


def _equations(units: dict[int, OrganisationUnit], columns: Iterable[Column]) -> list[tuple[Cell, ...]]:
    """Per column and unit: the unit's total = its own people + the totals of the units directly below it."""
    children: dict[int, list[int]] = {unit_id: [] for unit_id in units}
    for unit_id, unit in units.items():
        if unit.parent_id in children:
            children[unit.parent_id].append(unit_id)
    equations = []
    for name, item_id in columns:
        column = f"{name}:{item_id}"
        for unit_id in units:
            below = ((child, Part.TOTAL, column) for child in children[unit_id])
            equations.append(((unit_id, Part.TOTAL, column), (unit_id, Part.DIRECT, column), *below))
    return equations


class _Tree:
    """The sums of one module over a scope's tree: per unit its own people and its total, and what is hidden."""

    def __init__(
        self, units: dict[int, OrganisationUnit], direct: dict[int, dict[Column, tuple[int, int]]], k: int
    ) -> None:
        self.direct = direct
        self.total: dict[int, dict[Column, tuple[int, int]]] = {unit_id: {} for unit_id in units}
        for unit_id, own in direct.items():
            for ancestor in (int(part) for part in units[unit_id].path.strip("/").split("/")):
                if ancestor in self.total:
                    sums = self.total[ancestor]
                    for column, (people, value_sum) in own.items():
                        old_people, old_sum = sums.get(column, (0, 0))
                        sums[column] = (old_people + people, old_sum + value_sum)
        self.hidden: dict[Cell, Hidden] = {}
        self.k = k

    def sums(self, cell: Cell) -> tuple[int, int]:
        unit_id, part, column = cell
        name, _, item_id = column.partition(":")
        source = self.total[unit_id] if part is Part.TOTAL else self.direct.get(unit_id, {})
        return source.get((name, item_id), (0, 0))

    def suppress(self, units: dict[int, OrganisationUnit], columns: list[Column]) -> None:
        """Hide every figure about 1 to k-1 people, then a partner wherever one hidden figure could be derived."""
        for unit_id in units:
            for part in Part:
                for name, item_id in columns:
                    cell = (unit_id, part, f"{name}:{item_id}")
                    if 0 < self.sums(cell)[0] < self.k:
                        self.hidden[cell] = Hidden.SMALL
        equations = _equations(units, columns)
        while complete(equations, lambda cell: self.sums(cell)[0], self.hidden):
            pass

    def mean(self, unit_id: int, part: Part, column: Column) -> Mean:
        cell = (unit_id, part, f"{column[0]}:{column[1]}")
        if cell in self.hidden:
            return Mean(None, None, self.hidden[cell])
        people, value_sum = self.sums(cell)
        return Mean(people, value_sum / people if people else None)

    def people(self, unit_id: int, part: Part, sets: tuple[str, ...], columns: list[Column]) -> dict[str, Mean]:
        """Per set, how many answered (the most over its statements); hidden when any of its statements is."""
        result = {}
        for name in sets:
            cells = [self.mean(unit_id, part, column) for column in columns if column[0] == name]
            reasons = [c.hidden for c in cells if c.hidden is not None]
            why = Hidden.SMALL if Hidden.SMALL in reasons else (reasons[0] if reasons else None)
            result[name] = Mean(None, None, why) if why else Mean(max((c.count or 0 for c in cells), default=0), None)
        return result


def effect_report(
    session: Session, catalog: Catalog, scope: ReportScope, module_slug: str | None, lang: str, today: date, k: int
) -> EffectReport:
    """The effect figures of one module for the scope's unit and the units below it; NotFound without effect sets."""
    choices = modules_with_effect(catalog)
    module = catalog.module(module_slug) if module_slug else (choices[0] if choices else None)
    if module is None or module.effect is None:
        raise NotFound("effect measurement")
    sets = module.effect.names
    columns: list[Column] = []
    for name in sets:
        questions = module.effect_set(name, module.default_language)
        if questions is None:  # the names come from the module's own sets
            raise ValueError(f"{module.slug} has no effect set {name!r}")
        columns += [(name, item.id) for item in questions.items]
    before = month_of(today)
    units = tree_units(session, scope.root)
    tree = _Tree(units, _sums(session, scope, module, before), k)
    tree.suppress(units, columns)

    unit = scope.unit
    texts: dict[str, str] = {}
    for name in reversed(sets):  # the pre set's wording wins
        questions = module.effect_set(name, lang)
        if questions is not None:
            texts.update({item.id: item.text_html for item in questions.items})
    statements = [
        Statement(
            item_id,
            texts.get(item_id, item_id),
            {name: tree.mean(unit.id, Part.TOTAL, (name, item_id)) for name in sets if (name, item_id) in columns},
        )
        for item_id in dict.fromkeys(item_id for _name, item_id in columns)
    ]
    lines = [
        UnitLine(unit, Part.TOTAL, False, tree.people(unit.id, Part.TOTAL, sets, columns)),
        UnitLine(unit, Part.DIRECT, False, tree.people(unit.id, Part.DIRECT, sets, columns)),
    ]
    children = sorted((u for u in units.values() if u.parent_id == unit.id), key=lambda u: (u.name, u.code))
    lines += [UnitLine(child, Part.TOTAL, True, tree.people(child.id, Part.TOTAL, sets, columns)) for child in children]
    return EffectReport(
        scope=scope,
        module=module,
        k=k,
        through=before - timedelta(days=1),
        sets=sets,
        statements=statements,
        lines=lines,
        breadcrumbs=scope.breadcrumbs(units),
    )
