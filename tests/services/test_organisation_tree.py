"""The organisation tree: create, rename, move (whole subtree in one UPDATE), close and reopen, audited, admins only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Assignment, AuditEvent, LessonProgress, ModuleCompletion, OrganisationUnit, Person, utcnow
from elearning.services import enrolments, organisations
from elearning.services.authz import reportable_unit
from elearning.services.errors import Forbidden, InvalidInput, NotFound
from elearning.services.managers import managers_of
from elearning.services.reporting import ReportFilters, report_scope
from elearning.services.reporting.rollup import direct_counts, roll_up
from elearning.services.reporting.scope import tree_units

from ..conftest import TEST_CONTENT, World

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _paths(db: Session) -> dict[str, str]:
    db.expire_all()
    return {unit.code: unit.path for unit in db.scalars(select(OrganisationUnit))}


def _expected_paths(db: Session) -> dict[str, str]:
    """Each unit's path as it must be, computed by walking up parent_id."""
    units = {unit.id: unit for unit in db.scalars(select(OrganisationUnit))}
    expected = {}
    for unit in units.values():
        chain, current = [], unit
        while current is not None:
            chain.append(current.id)
            current = units.get(current.parent_id) if current.parent_id else None
        expected[unit.code] = "/" + "".join(f"{unit_id}/" for unit_id in reversed(chain))
    return expected


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _assert_no_personal_data(event: AuditEvent, db: Session) -> None:
    text = repr(event.details)
    for person in db.scalars(select(Person)):
        assert person.email not in text
        assert person.name not in text


# --- create -------------------------------------------------------------------------------------------------------


def test_admin_creates_a_unit_with_path_and_audit(world: World, db: Session) -> None:
    unit = organisations.add_unit(db, world.admin, " dg-a-2 ", " Team A2 ", world.dg_a.id)
    assert (unit.code, unit.name, unit.parent_id) == ("DG-A-2", "Team A2", world.dg_a.id)
    assert unit.path == f"{world.dg_a.path}{unit.id}/"
    root = organisations.add_unit(db, world.admin, "OTHER", "Other ministry", None)
    assert root.path == f"/{root.id}/" and root.parent_id is None
    [event, _] = _events(db, "unit.create")
    assert event.actor_id == world.admin.id
    assert event.target == "unit:DG-A-2"
    assert event.details == {"unit_id": unit.id, "parent": "DG-A"}
    _assert_no_personal_data(event, db)


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("DG-A", "Duplicate", "Organisation code DG-A already exists."),
        ("dg-a", "Duplicate in lower case", "Organisation code DG-A already exists."),
        ("", "No code", "An organisation unit needs a code and a name."),
        ("NEW", "   ", "An organisation unit needs a code and a name."),
        ("-NEW", "Starts with a hyphen", "Code -NEW is not valid"),
        ("NEW UNIT", "Space", "Code NEW UNIT is not valid"),
        ("NÉW", "Accent", "Code NÉW is not valid"),
        ("A" * 65, "Too long", "is not valid"),
        ("LONG", "x" * 201, "The name is too long"),
    ],
)
def test_bad_units_are_refused_with_a_clear_message(
    world: World, db: Session, code: str, name: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        organisations.add_unit(db, world.admin, code, name, world.ministry.id)
    assert _events(db, "unit.create") == []


def test_code_of_64_characters_is_fine(world: World, db: Session) -> None:
    assert organisations.add_unit(db, world.admin, "A" * 64, "Long code", None).code == "A" * 64


def test_no_unit_under_a_closed_or_missing_parent(world: World, db: Session) -> None:
    empty = organisations.add_unit(db, world.admin, "EMPTY", "Empty", world.ministry.id)
    organisations.close_unit(db, world.admin, empty.id, now=NOW)
    with pytest.raises(InvalidInput, match="EMPTY is closed"):
        organisations.add_unit(db, world.admin, "UNDER-CLOSED", "Under closed", empty.id)
    with pytest.raises(InvalidInput, match="does not exist"):
        organisations.add_unit(db, world.admin, "ORPHAN", "Orphan", 987654)


@pytest.mark.parametrize("who", ["employee", "manager", "author", "hr_a"])
def test_only_admins_change_the_tree(world: World, db: Session, who: str) -> None:
    actor = getattr(world, who)
    with pytest.raises(Forbidden):
        organisations.add_unit(db, actor, "NEW", "New", None)
    with pytest.raises(Forbidden):
        organisations.rename_unit(db, actor, world.dg_a.id, "Renamed")
    with pytest.raises(Forbidden):
        organisations.move_unit(db, actor, world.team_a1.id, world.dg_b.id)
    with pytest.raises(Forbidden):
        organisations.close_unit(db, actor, world.dg_b.id, now=NOW)
    with pytest.raises(Forbidden):
        organisations.reopen_unit(db, actor, world.dg_b.id)
    with pytest.raises(Forbidden):
        organisations.unit_tree(db, actor)
    with pytest.raises(Forbidden):
        organisations.unit_detail(db, actor, world.dg_a.id)
    with pytest.raises(Forbidden):
        organisations.open_units(db, actor)
    assert db.scalars(select(AuditEvent)).all() == []


# --- rename -------------------------------------------------------------------------------------------------------


def test_rename_keeps_id_and_code_and_is_audited_once(world: World, db: Session) -> None:
    assert organisations.rename_unit(db, world.admin, world.dg_a.id, "  Directorate-General A ") is True
    assert organisations.rename_unit(db, world.admin, world.dg_a.id, "Directorate-General A") is False
    unit = db.get(OrganisationUnit, world.dg_a.id)
    assert unit is not None and (unit.name, unit.code) == ("Directorate-General A", "DG-A")
    [event] = _events(db, "unit.rename")
    assert (event.actor_id, event.target, event.details) == (world.admin.id, "unit:DG-A", {"unit_id": world.dg_a.id})


def test_rename_needs_a_name_and_an_existing_unit(world: World, db: Session) -> None:
    with pytest.raises(InvalidInput, match="needs a code and a name"):
        organisations.rename_unit(db, world.admin, world.dg_a.id, "  ")
    with pytest.raises(NotFound):
        organisations.rename_unit(db, world.admin, 987654, "Nothing")


# --- move ---------------------------------------------------------------------------------------------------------


def test_move_rewrites_the_paths_of_the_whole_subtree(world: World, db: Session) -> None:
    deep = organisations.create_unit(db, "DG-A-1-X", "Deep", world.team_a1)
    deeper = organisations.create_unit(db, "DG-A-1-X-Y", "Deeper", deep)
    sibling = organisations.create_unit(db, "DG-A-2", "Sibling", world.dg_a)
    db.commit()
    before = _paths(db)

    assert organisations.move_unit(db, world.admin, world.team_a1.id, world.dg_b.id) is True
    db.commit()

    after = _paths(db)
    assert after == _expected_paths(db)
    assert after["DG-A-1"] == f"{before['DG-B']}{world.team_a1.id}/"
    assert after["DG-A-1-X"] == f"{before['DG-B']}{world.team_a1.id}/{deep.id}/"
    assert after["DG-A-1-X-Y"] == f"{before['DG-B']}{world.team_a1.id}/{deep.id}/{deeper.id}/"
    for untouched in ("MIN", "DG-A", "DG-B", "DG-A-2"):
        assert after[untouched] == before[untouched]
    assert sibling.parent_id == world.dg_a.id
    # Objects already in the session see the new paths too.
    assert deeper.path == after["DG-A-1-X-Y"]


def test_move_to_the_top_level_and_back(world: World, db: Session) -> None:
    assert organisations.move_unit(db, world.admin, world.dg_a.id, None) is True
    assert _paths(db)["DG-A-1"] == f"/{world.dg_a.id}/{world.team_a1.id}/"
    assert organisations.move_unit(db, world.admin, world.dg_a.id, world.ministry.id) is True
    assert _paths(db) == _expected_paths(db)
    assert _paths(db)["DG-A-1"] == f"/{world.ministry.id}/{world.dg_a.id}/{world.team_a1.id}/"


def test_after_a_move_subtree_queries_follow_and_progress_is_untouched(world: World, db: Session) -> None:
    db.add(LessonProgress(person_id=world.employee.id, module_slug="basis", lesson_slug="intro", content_version="v1"))
    db.add(ModuleCompletion(person_id=world.employee.id, module_slug="basis", content_version="v1"))
    db.add(Assignment(module_slug="basis", organisation_id=world.ministry.id, due_on=date(2030, 1, 1)))
    db.commit()
    catalog = load_catalog(TEST_CONTENT)
    enrolments.sync(db, catalog, date.today(), now=utcnow())
    db.commit()
    progress_before = [(p.id, p.person_id, p.lesson_slug) for p in db.scalars(select(LessonProgress))]

    organisations.move_unit(db, world.admin, world.team_a1.id, world.dg_b.id)
    enrolments.sync(db, catalog, date.today(), now=utcnow())  # as the admin page does after a move
    db.commit()
    db.expire_all()

    # HR of DG-B now sees team A1 and its two people; HR of DG-A no longer does.
    assert reportable_unit(db, world.hr_b, world.team_a1.id).code == "DG-A-1"
    with pytest.raises(Forbidden):
        reportable_unit(db, world.hr_a, world.team_a1.id)

    def assigned_and_completed(viewer: Person) -> tuple[int, int]:
        scope = report_scope(db, viewer, ReportFilters())
        tree = roll_up(
            tree_units(db, scope.root),
            {u: c for (u, _m), c in direct_counts(db, scope, ReportFilters(), date.today()).items()},
        )
        return tree.total[scope.root.id].assigned, tree.total[scope.root.id].completed

    assert assigned_and_completed(world.hr_b) == (4, 1)  # hr-b, colleague-b, employee, manager: the completion came
    assert assigned_and_completed(world.hr_a) == (2, 0)  # author and hr-a only
    # The person kept their unit, progress and completion.
    employee = db.get(Person, world.employee.id)
    assert employee is not None and employee.organisation_id == world.team_a1.id
    assert [(p.id, p.person_id, p.lesson_slug) for p in db.scalars(select(LessonProgress))] == progress_before
    assert db.scalar(select(ModuleCompletion.person_id)) == world.employee.id
    assert [m.email for m in managers_of(db, employee)] == ["manager@example.org"]


def test_moving_under_itself_or_a_descendant_is_refused(world: World, db: Session) -> None:
    deep = organisations.create_unit(db, "DG-A-1-X", "Deep", world.team_a1)
    before = _paths(db)
    for target in (world.dg_a.id, world.team_a1.id, deep.id):
        with pytest.raises(InvalidInput, match="DG-A cannot be moved under itself or one of its own subunits"):
            organisations.move_unit(db, world.admin, world.dg_a.id, target)
    with pytest.raises(InvalidInput, match="MIN cannot be moved"):
        organisations.move_unit(db, world.admin, world.ministry.id, deep.id)
    assert _paths(db) == before
    assert _events(db, "unit.move") == []


def test_move_to_the_same_parent_changes_nothing(world: World, db: Session) -> None:
    assert organisations.move_unit(db, world.admin, world.team_a1.id, world.dg_a.id) is False
    assert organisations.move_unit(db, world.admin, world.ministry.id, None) is False
    assert _events(db, "unit.move") == []


def test_no_move_under_a_closed_or_missing_unit(world: World, db: Session) -> None:
    empty = organisations.add_unit(db, world.admin, "EMPTY", "Empty", world.ministry.id)
    organisations.close_unit(db, world.admin, empty.id, now=NOW)
    with pytest.raises(InvalidInput, match="EMPTY is closed"):
        organisations.move_unit(db, world.admin, world.team_a1.id, empty.id)
    with pytest.raises(InvalidInput, match="does not exist"):
        organisations.move_unit(db, world.admin, world.team_a1.id, 987654)
    with pytest.raises(NotFound):
        organisations.move_unit(db, world.admin, 987654, world.dg_b.id)


def test_move_is_audited_with_codes(world: World, db: Session) -> None:
    organisations.move_unit(db, world.admin, world.team_a1.id, world.dg_b.id)
    [event] = _events(db, "unit.move")
    assert event.actor_id == world.admin.id
    assert event.target == "unit:DG-A-1"
    assert event.details == {"unit_id": world.team_a1.id, "old_parent": "DG-A", "new_parent": "DG-B"}
    _assert_no_personal_data(event, db)


# --- close and reopen ---------------------------------------------------------------------------------------------


def test_closing_a_unit_with_people_or_open_subunits_is_refused_naming_how_many(world: World, db: Session) -> None:
    with pytest.raises(InvalidInput, match=r"DG-A-1 cannot be closed: it still has 2 active people\."):
        organisations.close_unit(db, world.admin, world.team_a1.id, now=NOW)
    with pytest.raises(InvalidInput, match=r"it still has 2 active people and 1 open subunit\."):
        organisations.close_unit(db, world.admin, world.dg_a.id, now=NOW)
    organisations.create_unit(db, "DG-B-1", "B1", world.dg_b)
    organisations.create_unit(db, "DG-B-2", "B2", world.dg_b)
    for person in (world.hr_b, world.colleague_b):
        person.organisation_id = world.dg_b.id
        person.active = False
    db.flush()
    with pytest.raises(InvalidInput, match=r"DG-B cannot be closed: it still has 2 open subunits\."):
        organisations.close_unit(db, world.admin, world.dg_b.id, now=NOW)
    assert db.get(OrganisationUnit, world.dg_b.id).closed_at is None  # type: ignore[union-attr]
    assert _events(db, "unit.close") == []


def test_one_active_person_is_named_in_the_singular(world: World, db: Session) -> None:
    world.colleague_b.active = False
    db.flush()
    with pytest.raises(InvalidInput, match=r"it still has 1 active person\."):
        organisations.close_unit(db, world.admin, world.dg_b.id, now=NOW)


def test_close_and_reopen_keep_the_unit_and_are_audited(world: World, db: Session) -> None:
    for person in (world.hr_b, world.colleague_b):
        person.active = False  # they left; their history stays with the unit
    db.add(ModuleCompletion(person_id=world.colleague_b.id, module_slug="basis", content_version="v1"))
    db.flush()
    assert organisations.close_unit(db, world.admin, world.dg_b.id, now=NOW) is True
    assert organisations.close_unit(db, world.admin, world.dg_b.id, now=NOW) is False  # a double submit
    db.commit()
    db.expire_all()
    unit = db.get(OrganisationUnit, world.dg_b.id)
    assert unit is not None and unit.closed_at == NOW
    assert db.scalar(select(ModuleCompletion.person_id)) == world.colleague_b.id
    assert organisations.reopen_unit(db, world.admin, world.dg_b.id) is True
    assert organisations.reopen_unit(db, world.admin, world.dg_b.id) is False
    assert unit.closed_at is None
    [closed] = _events(db, "unit.close")
    [reopened] = _events(db, "unit.reopen")
    for event in (closed, reopened):
        assert (event.actor_id, event.target, event.details) == (world.admin.id, "unit:DG-B", {"unit_id": unit.id})


def test_reopen_needs_an_open_parent(world: World, db: Session) -> None:
    parent = organisations.add_unit(db, world.admin, "P", "Parent", None)
    child = organisations.add_unit(db, world.admin, "P-1", "Child", parent.id)
    organisations.close_unit(db, world.admin, child.id, now=NOW)
    organisations.close_unit(db, world.admin, parent.id, now=NOW)
    with pytest.raises(InvalidInput, match="First reopen P, the unit above P-1"):
        organisations.reopen_unit(db, world.admin, child.id)
    assert organisations.reopen_unit(db, world.admin, parent.id)
    assert organisations.reopen_unit(db, world.admin, child.id)


# --- reading the tree ---------------------------------------------------------------------------------------------


def test_tree_is_in_order_with_depth_and_people_counts(world: World, db: Session) -> None:
    organisations.create_unit(db, "DG-A-0", "Aardvark team", world.dg_a)
    world.colleague_b.active = False
    db.flush()
    rows = [(row.unit.code, row.depth, row.people) for row in organisations.unit_tree(db, world.admin)]
    assert rows == [
        ("MIN", 0, 1),  # admin
        ("DG-A", 1, 2),  # author, hr-a
        ("DG-A-0", 2, 0),  # siblings by name: "Aardvark team" before "Team A1"
        ("DG-A-1", 2, 2),  # employee, manager
        ("DG-B", 1, 1),  # hr-b (colleague-b is inactive)
    ]


def test_unit_detail_offers_only_open_units_outside_its_own_subtree(world: World, db: Session) -> None:
    closed = organisations.add_unit(db, world.admin, "CLOSED", "Closed", world.ministry.id)
    organisations.close_unit(db, world.admin, closed.id, now=NOW)
    detail = organisations.unit_detail(db, world.admin, world.dg_a.id)
    assert [row.unit.code for row in detail.parent_choices] == ["MIN", "DG-B"]
    assert (detail.active_people, detail.open_subunits, detail.parent.code) == (2, 1, "MIN")  # type: ignore[union-attr]
    assert [row.unit.code for row in organisations.open_units(db, world.admin)] == ["MIN", "DG-A", "DG-A-1", "DG-B"]
    with pytest.raises(NotFound):
        organisations.unit_detail(db, world.admin, 987654)


def test_unit_by_code_ignores_case_and_spaces(world: World, db: Session) -> None:
    assert organisations.unit_by_code(db, " dg-a ") is not None
    assert organisations.unit_by_code(db, "nothing") is None


def test_a_closed_units_closed_parent_stays_on_offer(world: World, db: Session) -> None:
    parent = organisations.add_unit(db, world.admin, "P", "Parent", None)
    child = organisations.add_unit(db, world.admin, "P-1", "Child", parent.id)
    organisations.close_unit(db, world.admin, child.id, now=NOW)
    organisations.close_unit(db, world.admin, parent.id, now=NOW)
    choices = [row.unit.code for row in organisations.unit_detail(db, world.admin, child.id).parent_choices]
    assert choices == ["MIN", "DG-A", "DG-A-1", "DG-B", "P"]
    assert organisations.move_unit(db, world.admin, child.id, parent.id) is False  # submitting it changes nothing
