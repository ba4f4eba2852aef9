"""Small-group suppression on crafted trees: small cells hidden, and no hidden cell derivable by subtraction."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from elearning.services.reporting.suppression import BOUNDING, COLUMNS, Counts, Hidden, Part, TreeCounts, suppress
from elearning.services.reporting.suppression import _equations as equations

K = 10


def counts(
    assigned: int, completed: int, overdue: int, started: int | None = None, on_time: int | None = None
) -> Counts:
    return Counts(
        assigned=assigned,
        started=completed if started is None else started,
        completed=completed,
        on_time=completed if on_time is None else on_time,
        overdue=overdue,
        not_yet_due=assigned - completed - overdue,
    )


def tree(parents: dict[int, int | None], given: dict[int, Counts]) -> TreeCounts:
    direct = {unit: given.get(unit, Counts()) for unit in parents}
    total = {unit: Counts() for unit in parents}
    for unit, c in direct.items():
        walk: int | None = unit
        while walk is not None:
            total[walk].add(c)
            walk = parents[walk]
    return TreeCounts(parents=parents, direct=direct, total=total)


def assert_protected(t: TreeCounts, hidden: dict, k: int = K) -> None:
    """Every small cell is hidden, and no equation holds exactly one hidden cell."""
    for unit in t.parents:
        for part, c in ((Part.TOTAL, t.total[unit]), (Part.DIRECT, t.direct[unit])):
            for column in COLUMNS:
                value = getattr(c, column)
                if 0 < value < k or 0 < c.assigned < k:
                    assert (unit, part, column) in hidden, (unit, part, column, value)
    for equation in equations(t):
        assert sum(1 for cell in equation if cell in hidden) != 1, equation
    for unit in t.parents:
        for part in Part:
            linked = {(unit, part, column) in hidden for column in BOUNDING}
            assert len(linked) == 1, ("started, completed and on time are hidden together", unit, part)


def test_nothing_is_hidden_when_every_group_is_large_or_empty() -> None:
    t = tree({1: None, 2: 1, 3: 1}, {1: counts(0, 0, 0), 2: counts(40, 30, 10), 3: counts(50, 50, 0)})
    assert suppress(t, K) == {}


def test_a_small_unit_is_hidden_whole_and_a_sibling_with_it() -> None:
    # Root with two units: 4 people (small) and 30. The root's total would give the small one away.
    t = tree({1: None, 2: 1, 3: 1}, {1: counts(0, 0, 0), 2: counts(4, 3, 1), 3: counts(30, 20, 10)})
    hidden = suppress(t, K)
    assert {column for (unit, part, column), why in hidden.items() if unit == 2 and why is Hidden.SMALL} == set(COLUMNS)
    # In the root's equation (total = direct + unit 2 + unit 3) unit 3's cell is hidden with unit 2's: the smallest
    # non-zero part (the root's own people are 0, and a zero protects nothing while another cell can be hidden).
    for column in ("assigned", "started", "completed", "on_time", "overdue"):
        assert hidden.get((3, Part.TOTAL, column)) is Hidden.COMPLEMENT, column
    assert (1, Part.TOTAL, "assigned") not in hidden and (1, Part.TOTAL, "completed") not in hidden
    assert_protected(t, hidden)


def test_a_small_count_in_a_large_row_takes_a_partner_in_its_row() -> None:
    # 40 people, 37 completed, 3 overdue: the overdue 3 is hidden, and the completed 37 with it (not the 0).
    t = tree({1: None}, {1: counts(40, 37, 3)})
    hidden = suppress(t, K)
    assert hidden[(1, Part.DIRECT, "overdue")] is Hidden.SMALL
    assert hidden[(1, Part.DIRECT, "completed")] is Hidden.COMPLEMENT
    # Started and on time (both 37) would pin completed between them: hidden with it.
    assert hidden[(1, Part.DIRECT, "started")] is Hidden.COMPLEMENT
    assert hidden[(1, Part.DIRECT, "on_time")] is Hidden.COMPLEMENT
    assert (1, Part.DIRECT, "not_yet_due") not in hidden and (1, Part.DIRECT, "assigned") not in hidden
    assert_protected(t, hidden)


def test_the_decision_is_the_same_for_every_page_of_the_tree() -> None:
    # A cell hidden as a partner in the parent's equation is hidden in the child's own rows too.
    t = tree({1: None, 2: 1, 3: 2, 4: 2}, {3: counts(5, 5, 0), 4: counts(25, 25, 0)})
    hidden = suppress(t, K)
    assert (3, Part.TOTAL, "assigned") in hidden and (3, Part.DIRECT, "assigned") in hidden
    assert (4, Part.TOTAL, "assigned") in hidden and (4, Part.DIRECT, "assigned") in hidden
    assert_protected(t, hidden)


@st.composite
def trees(draw: st.DrawFn) -> TreeCounts:
    size = draw(st.integers(min_value=1, max_value=12))
    parents: dict[int, int | None] = {1: None}
    for unit in range(2, size + 1):
        parents[unit] = draw(st.integers(min_value=1, max_value=unit - 1))
    direct = {}
    for unit in parents:
        assigned = draw(st.sampled_from([0, 0, 1, 3, 9, 10, 12, 40, 100]))
        completed = draw(st.integers(min_value=0, max_value=assigned))
        overdue = draw(st.integers(min_value=0, max_value=assigned - completed))
        started = draw(st.integers(min_value=completed, max_value=assigned))
        on_time = draw(st.integers(min_value=0, max_value=completed))
        direct[unit] = counts(assigned, completed, overdue, started, on_time)
    return tree(parents, direct)


@settings(max_examples=300, deadline=None)
@given(trees(), st.sampled_from([5, 10, 25]))
def test_no_hidden_cell_can_be_derived_on_any_tree(t: TreeCounts, k: int) -> None:
    assert_protected(t, suppress(t, k), k)
