"""Small-group suppression for a tree of counts: cells about fewer than k people, and the cells that would betray them.

Primary: a row about fewer than k people hides all its cells, and any count from 1 to k-1 is hidden. Secondary
(complementary): a hidden cell must not be derivable by subtraction. Every row obeys
`assigned = completed + overdue + not_yet_due`, and every column obeys `total(unit) = direct(unit) + Σ total(child)`;
wherever one of these equations has exactly one hidden cell, a second (the smallest visible non-zero one) is
hidden too, until no equation has exactly one. Because on time <= completed <= started, those three are hidden
together in a row. The decision covers the whole tree of a scope at once, so that a cell hidden on one page is
hidden on every page that shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum


@dataclass
class Counts:
    """Duties in one group, by state; `completed + overdue + not_yet_due == assigned` (exempted ones apart)."""

    assigned: int = 0
    started: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    not_yet_due: int = 0
    exempted: int = 0  # not in the others: an exempted duty counts neither as assigned nor as completed

    def subtract(self, other: Counts) -> None:
        for field in COLUMNS:
            setattr(self, field, getattr(self, field) - getattr(other, field))

    def add(self, other: Counts) -> None:
        for field in COLUMNS:
            setattr(self, field, getattr(self, field) + getattr(other, field))


COLUMNS = tuple(f.name for f in fields(Counts))
# on time <= completed <= started: a visible neighbour would pin a hidden one, so they are hidden together.
BOUNDING = ("started", "completed", "on_time")


class Part(StrEnum):
    TOTAL = "total"  # the unit with everything below it
    DIRECT = "direct"  # only the people in the unit itself


class Hidden(StrEnum):
    SMALL = "small"  # about fewer than k people: shown as "< k"
    COMPLEMENT = "complement"  # hidden so that a small group cannot be derived


Cell = tuple[int, Part, str]  # (unit id, part, column)


@dataclass(frozen=True)
class TreeCounts:
    """The counts of every unit of one tree: its parent (None for the root), direct and total."""

    parents: Mapping[int, int | None]
    direct: Mapping[int, Counts]
    total: Mapping[int, Counts]


def suppress(tree: TreeCounts, k: int) -> dict[Cell, Hidden]:
    """Which cells to hide, and why."""
    hidden: dict[Cell, Hidden] = {}
    for unit in tree.parents:
        for part, counts in ((Part.TOTAL, tree.total[unit]), (Part.DIRECT, tree.direct[unit])):
            small_row = 0 < counts.assigned < k
            for column in COLUMNS:
                value = getattr(counts, column)
                if small_row or 0 < value < k:
                    hidden[(unit, part, column)] = Hidden.SMALL
    equations = list(_equations(tree))
    rows = [(unit, part) for unit in tree.parents for part in Part]
    changed = True
    while changed:
        changed = False
        for unit, part in rows:
            linked = [(unit, part, column) for column in BOUNDING]
            if any(cell in hidden for cell in linked):
                for cell in linked:
                    if cell not in hidden:
                        hidden[cell] = Hidden.COMPLEMENT
                        changed = True
        changed = complete(equations, lambda cell: _value(tree, cell), hidden) or changed
    return hidden


def complete(equations: Iterable[tuple[Cell, ...]], value: Callable[[Cell], int], hidden: dict[Cell, Hidden]) -> bool:
    """One pass of secondary suppression over additive equations (the sum first): where exactly one cell is hidden,
    hide a partner too. True when it hid anything; call it until it returns False."""
    changed = False
    for equation in equations:
        if sum(1 for cell in equation if cell in hidden) != 1:
            continue
        partner = _partner(equation, value, hidden)
        if partner is not None:
            hidden[partner] = Hidden.COMPLEMENT
            changed = True
    return changed


def _equations(tree: TreeCounts) -> Iterable[tuple[Cell, ...]]:
    """Each equation as its cells, the sum first."""
    children: dict[int, list[int]] = {unit: [] for unit in tree.parents}
    for unit, parent in tree.parents.items():
        if parent is not None and parent in children:
            children[parent].append(unit)
    for unit in tree.parents:
        for part in Part:
            yield tuple((unit, part, column) for column in ("assigned", "completed", "overdue", "not_yet_due"))
        for column in COLUMNS:
            below = ((child, Part.TOTAL, column) for child in children[unit])
            yield ((unit, Part.TOTAL, column), (unit, Part.DIRECT, column), *below)


def _value(tree: TreeCounts, cell: Cell) -> int:
    unit, part, column = cell
    counts = tree.total[unit] if part is Part.TOTAL else tree.direct[unit]
    return int(getattr(counts, column))


def _partner(equation: tuple[Cell, ...], value: Callable[[Cell], int], hidden: Mapping[Cell, Hidden]) -> Cell | None:
    """The visible cell to hide with the lone hidden one: the smallest non-zero part, else the sum, else a zero.

    A zero is the last choice: a reader often knows it is zero (nobody can be "not yet due" after the due date), so
    hiding it protects nothing.
    """
    parts = [cell for cell in equation[1:] if cell not in hidden]
    total = [equation[0]] if equation[0] not in hidden else []

    def order(cell: Cell) -> tuple[int, int, str]:
        return (value(cell), cell[0], cell[1].value)

    for candidates in ([c for c in parts if value(c)], [c for c in total if value(c)], parts, total):
        if candidates:
            return min(candidates, key=order)
    return None
