"""The roster import on both databases: upsert by employee number, all or nothing, scopes, batches and reruns."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Assignment, AuditEvent, LessonProgress, ModuleCompletion, Person, utcnow
from elearning.services.enrolments import current_enrolments
from elearning.services.errors import Forbidden, InvalidInput
from elearning.services.organisations import create_unit
from elearning.services.roster import ChangeKind, ImportMode, ImportReport, apply_import, preview_import
from elearning.services.roster import apply as roster_apply
from elearning.services.roster import validate as roster_validate

from ..conftest import FIXTURES, TEST_CONTENT, World

ROSTERS = FIXTURES / "rosters"
TODAY = date(2026, 2, 1)
HEADER = "personeelsnummer;naam;email;organisatiecode;leidinggevende;taal;startdatum;einddatum\n"
C, U, R, D, N = (
    ChangeKind.CREATED,
    ChangeKind.UPDATED,
    ChangeKind.REACTIVATED,
    ChangeKind.DEACTIVATED,
    ChangeKind.UNCHANGED,
)


def _apply(
    db: Session, path: Path, importer: Person | None = None, mode: ImportMode = ImportMode.FULL, **options: object
) -> ImportReport:
    return apply_import(db, path, importer, mode=mode, today=TODAY, end_transaction=db.commit, **options)  # type: ignore[arg-type]


def _counts(report: ImportReport) -> tuple[int, int, int, int, int]:
    return report.counts[C], report.counts[U], report.counts[R], report.counts[D], report.counts[N]


def _csv(tmp_path: Path, *rows: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _person(db: Session, employee_number: str) -> Person:
    db.expire_all()
    person = db.scalar(select(Person).where(Person.employee_number == employee_number))
    assert person is not None, employee_number
    return person


def _people(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Person)) or 0


def _audit(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "people.import").order_by(AuditEvent.id)))


def test_first_import_creates_people_from_a_messy_file(world: World, db: Session) -> None:
    report = _apply(db, ROSTERS / "semicolon_bom.csv", world.admin)
    assert report.applied and report.valid and report.rows == 3
    assert _counts(report) == (3, 0, 0, 0, 0)
    ozturk = _person(db, "1001")
    assert (ozturk.name, ozturk.email, ozturk.organisation_id) == (
        "Şükrü Öztürk",
        "s.ozturk@example.org",
        world.team_a1.id,
    )
    assert (ozturk.start_date, ozturk.is_manager, ozturk.preferred_language, ozturk.active) == (
        date(2023, 1, 1),
        False,
        "nl",
        True,
    )
    degroot = _person(db, "1002")
    assert (degroot.name, degroot.is_manager, degroot.preferred_language, degroot.start_date) == (
        "Anna de Groot",
        True,
        "en",
        date(2021, 3, 1),
    )
    assert degroot.password_hash is None  # an account to be invited, not one that can log in yet


def test_windows_1252_names_arrive_intact(world: World, db: Session) -> None:
    report = _apply(db, ROSTERS / "windows1252.csv")
    assert report.encoding == "cp1252" and _counts(report) == (3, 0, 0, 0, 0)
    assert [_person(db, n).name for n in ("2001", "2002", "2003")] == [
        "Zoë Peeters",
        "François Dubois, jr.",
        "Jürgen Müller",
    ]
    assert _person(db, "2002").start_date == date(2018, 6, 15)


def test_the_same_file_twice_changes_nothing_the_second_time(world: World, db: Session) -> None:
    _apply(db, ROSTERS / "semicolon_bom.csv")
    before = _people(db)
    second = _apply(db, ROSTERS / "semicolon_bom.csv")
    assert second.applied and _counts(second) == (0, 0, 0, 0, 3) and second.changes == 0
    assert _people(db) == before
    assert len(_audit(db)) == 1  # only the import that changed something


def test_moved_person_leaver_absentee_and_newcomer(world: World, db: Session) -> None:
    _apply(db, ROSTERS / "semicolon_bom.csv")
    moved = _person(db, "1002")
    db.add(ModuleCompletion(person_id=moved.id, module_slug="basis", content_version="v1", completed_at=utcnow()))
    db.add(LessonProgress(person_id=moved.id, module_slug="basis", lesson_slug="intro", content_version="v1"))
    db.commit()
    report = _apply(db, ROSTERS / "month2.csv")
    # 1002 moved (updated), 1003 left (end date passed), 1001 absent (deactivated), 1004 new
    assert _counts(report) == (1, 1, 0, 2, 0)
    assert report.samples[U][0].changes == ("organisation_code",)
    assert {s.employee_number for s in report.samples[D]} == {"1001", "1003"}
    moved = _person(db, "1002")
    assert moved.organisation_id == world.dg_b.id and moved.active
    assert (
        db.scalar(select(func.count()).select_from(ModuleCompletion).where(ModuleCompletion.person_id == moved.id)) == 1
    )
    assert db.scalar(select(func.count()).select_from(LessonProgress).where(LessonProgress.person_id == moved.id)) == 1
    leaver = _person(db, "1003")
    assert (leaver.active, leaver.end_date) == (False, date(2025, 12, 31))
    assert _person(db, "1001").active is False
    assert _person(db, "1004").organisation_id == world.team_a1.id
    assert all(p.active for p in (world.employee, world.admin, world.hr_a))  # no employee number: never touched


def test_enrolments_follow_the_import_at_once(world: World, db: Session) -> None:
    """A joiner gets the assignment with their own due date; a mover and a leaver are withdrawn, without cron."""
    catalog = load_catalog(TEST_CONTENT)
    db.add(Assignment(module_slug="basis", organisation_id=world.dg_a.id, due_days_after_start=30))
    db.commit()
    _apply(db, ROSTERS / "semicolon_bom.csv", catalog=catalog)
    open_in_dg_a = {s.person_id for s in current_enrolments(db, TODAY, select(Person.id)) if s.completed_at is None}
    assert {_person(db, n).id for n in ("1001", "1002")} <= open_in_dg_a
    assert _person(db, "1003").id not in open_in_dg_a  # DG-B is outside the assignment

    _apply(db, ROSTERS / "month2.csv", catalog=catalog)
    current = {s.person_id: s for s in current_enrolments(db, TODAY, select(Person.id))}
    newcomer = _person(db, "1004")  # started 2026-01-05, enrolled on TODAY: 30 days from enrolment, not from start
    assert current[newcomer.id].due_on == date(2026, 3, 3)
    assert _person(db, "1002").id not in current  # moved to DG-B: withdrawn
    assert _person(db, "1001").id not in current  # left the roster: withdrawn


def test_partial_file_deactivates_nobody_by_absence(world: World, db: Session) -> None:
    _apply(db, ROSTERS / "semicolon_bom.csv")
    report = _apply(db, ROSTERS / "month2.csv", mode=ImportMode.PARTIAL)
    assert _counts(report) == (1, 1, 0, 1, 0)  # only the leaver, by the end date in the file
    assert _person(db, "1001").active is True
    assert _person(db, "1003").active is False


def test_people_come_back_active(world: World, db: Session) -> None:
    _apply(db, ROSTERS / "semicolon_bom.csv")
    _apply(db, ROSTERS / "month2.csv")
    report = _apply(db, ROSTERS / "semicolon_bom.csv")
    # 1001 absent last time and 1003 with an end date now without one: reactivated; 1002 moved back; 1004 gone
    assert _counts(report) == (0, 1, 2, 1, 0)
    assert _person(db, "1001").active and _person(db, "1003").active
    assert _person(db, "1003").end_date is None
    assert _person(db, "1002").organisation_id == world.dg_a.id


def test_an_end_date_that_has_passed_since_deactivates_even_in_a_partial_import(
    world: World, db: Session, tmp_path: Path
) -> None:
    _apply(db, _csv(tmp_path, "5001;Tijdelijk;t@example.org;DG-A;nee;nl;;2026-03-15"), mode=ImportMode.PARTIAL)
    assert _person(db, "5001").active is True
    later = apply_import(
        db,
        _csv(tmp_path, "5002;Ander;a@example.org;DG-A;nee;nl;;", name="later.csv"),
        None,
        mode=ImportMode.PARTIAL,
        today=date(2026, 4, 1),
        end_transaction=db.commit,
    )
    assert later.counts[D] == 1 and later.samples[D][0].employee_number == "5001"
    assert _person(db, "5001").active is False


def test_a_file_with_any_bad_row_changes_nothing_and_lists_every_problem(world: World, db: Session) -> None:
    closed = create_unit(db, "CLOSED", "Closed unit", world.ministry)
    closed.closed_at = utcnow()
    world.colleague_b.employee_number = "9999"
    world.colleague_b.email = "taken@example.org"
    db.commit()
    people, events = _people(db), len(_audit(db))
    report = _apply(db, ROSTERS / "bad_rows.csv", world.admin)
    assert not report.applied and not report.valid
    found = {(p.row, p.letter, p.code) for p in report.problems}
    assert found == {
        (3, "D", "unknown_unit"),
        (4, "D", "closed_unit"),
        (5, "A", "duplicate_employee_number"),
        (6, "C", "invalid_email"),
        (7, "C", "email_taken"),
        (8, "G", "invalid_date"),
        (9, "F", "unknown_language"),
        (10, "E", "invalid_boolean"),
        (11, "C", "duplicate_email"),
        (12, "A", "missing_value"),
        (13, "H", "end_before_start"),
    }
    assert report.problem_total == len(found)
    duplicate = next(p for p in report.problems if p.code == "duplicate_employee_number")
    assert "row 2" in duplicate.message and duplicate.column == "personeelsnummer"
    assert _people(db) == people and len(_audit(db)) == events
    assert db.scalar(select(Person).where(Person.employee_number == "3001")) is None


def test_a_missing_required_column_is_reported_in_row_1(world: World, db: Session) -> None:
    report = _apply(db, ROSTERS / "missing_column.csv")
    assert [(p.row, p.code, p.column) for p in report.problems] == [(1, "missing_column", "email")]
    assert report.rows == 0 and _person_count_with_numbers(db) == 0


def _person_count_with_numbers(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Person).where(Person.employee_number.is_not(None))) or 0


def test_an_empty_full_roster_is_refused(world: World, db: Session, tmp_path: Path) -> None:
    _apply(db, ROSTERS / "semicolon_bom.csv")
    report = _apply(db, _csv(tmp_path))
    assert [p.code for p in report.problems] == ["no_rows"]
    assert _person(db, "1001").active
    assert _apply(db, _csv(tmp_path), mode=ImportMode.PARTIAL).valid  # a partial file of no changes is fine


def test_an_account_without_employee_number_is_adopted_by_e_mail(world: World, db: Session, tmp_path: Path) -> None:
    report = _apply(db, _csv(tmp_path, "7001;Eva Employee;Employee@Example.org;DG-A-1;nee;nl;;"), world.admin)
    assert _counts(report) == (0, 1, 0, 0, 0)
    assert set(report.samples[U][0].changes) == {"employee_number", "name", "language"}
    adopted = _person(db, "7001")
    assert adopted.id == world.employee.id and adopted.password_hash is not None


def test_an_e_mail_address_of_another_roster_person_is_refused(world: World, db: Session, tmp_path: Path) -> None:
    _apply(db, _csv(tmp_path, "8001;Een;een@example.org;DG-A;nee;nl;;"))
    report = _apply(db, _csv(tmp_path, "8001;Een;een@example.org;DG-A;;;;", "8002;Twee;een@example.org;DG-A;;;;"))
    assert {(p.row, p.code) for p in report.problems} == {(3, "duplicate_email")}
    report = _apply(db, _csv(tmp_path, "8002;Twee;een@example.org;DG-A;;;;"), mode=ImportMode.PARTIAL)
    assert [(p.row, p.code) for p in report.problems] == [(2, "email_taken")]


def test_hr_imports_only_within_its_subtree(world: World, db: Session, tmp_path: Path) -> None:
    world.employee.employee_number = "A1"
    world.colleague_b.employee_number = "B1"
    db.commit()
    report = _apply(db, _csv(tmp_path, "A2;Nieuw;nieuw@example.org;DG-B;nee;nl;;"), world.hr_a)
    assert [(p.row, p.letter, p.code) for p in report.problems] == [(2, "D", "unit_out_of_scope")]
    # moving a DG-B person into DG-A by their employee number is not HR-A's to do either
    report = _apply(db, _csv(tmp_path, "B1;Colleague B;colleague-b@example.org;DG-A;nee;nl;;"), world.hr_a)
    assert [p.code for p in report.problems] == ["person_out_of_scope"]
    # a full roster of DG-A: the absent DG-A person goes, the DG-B person stays
    report = _apply(db, _csv(tmp_path, "A2;Nieuw;nieuw@example.org;DG-A-1;nee;nl;;"), world.hr_a)
    assert report.applied and _counts(report) == (1, 0, 0, 1, 0)
    assert report.scope_codes == ("DG-A",)
    assert _person(db, "A1").active is False and _person(db, "B1").active is True
    assert json.loads(json.dumps(_audit(db)[-1].details))["scope"] == ["DG-A"]


def test_hr_of_dg_b_does_not_touch_dg_a(world: World, db: Session, tmp_path: Path) -> None:
    world.employee.employee_number = "A1"
    db.commit()
    report = _apply(db, _csv(tmp_path, "B2;Nieuw B;nieuw-b@example.org;DG-B;nee;nl;;"), world.hr_b)
    assert _counts(report) == (1, 0, 0, 0, 0)
    assert _person(db, "A1").active


@pytest.mark.parametrize("who", ["employee", "author", "manager"])
def test_only_hr_and_admin_may_import(world: World, db: Session, who: str) -> None:
    with pytest.raises(Forbidden):
        preview_import(db, ROSTERS / "semicolon_bom.csv", getattr(world, who), mode=ImportMode.FULL, today=TODAY)
    assert _person_count_with_numbers(db) == 0


def test_scope_codes_narrow_the_scope(world: World, db: Session, tmp_path: Path) -> None:
    world.employee.employee_number = "A1"
    world.author.employee_number = "A0"
    db.commit()
    report = _apply(db, _csv(tmp_path, "A2;Nieuw;nieuw@example.org;DG-A-1;nee;nl;;"), scope_codes=["DG-A-1"])
    assert _counts(report) == (1, 0, 0, 1, 0)  # only team A1's employee; the author sits in DG-A itself
    assert _person(db, "A0").active and not _person(db, "A1").active
    with pytest.raises(Forbidden):
        preview_import(db, tmp_path / "roster.csv", world.hr_a, mode=ImportMode.FULL, today=TODAY, scope_codes=["DG-B"])
    with pytest.raises(InvalidInput):
        preview_import(db, tmp_path / "roster.csv", None, mode=ImportMode.FULL, today=TODAY, scope_codes=["NOPE"])


def test_an_import_never_deactivates_the_importer(world: World, db: Session, tmp_path: Path) -> None:
    world.hr_a.employee_number = "H1"
    db.commit()
    report = _apply(db, _csv(tmp_path, "A2;Nieuw;nieuw@example.org;DG-A-1;nee;nl;;"), world.hr_a)
    assert [p.code for p in report.problems] == ["deactivates_importer"]
    report = _apply(db, _csv(tmp_path, "H1;Hr A;hr-a@example.org;DG-A;nee;nl;;2026-01-01"), world.hr_a)
    assert [(p.row, p.code) for p in report.problems] == [(2, "deactivates_importer")]
    assert _person(db, "H1").active


def test_organisation_codes_in_other_capitals(world: World, db: Session, tmp_path: Path) -> None:
    report = _apply(db, _csv(tmp_path, "9001;Klein;klein@example.org;dg-a-1;nee;nl;;"))
    assert report.valid and _person(db, "9001").organisation_id == world.team_a1.id


def test_dry_run_writes_nothing_and_shows_the_first_rows(world: World, db: Session) -> None:
    report = preview_import(db, ROSTERS / "semicolon_bom.csv", world.hr_a, mode=ImportMode.PARTIAL, today=TODAY)
    assert [p.code for p in report.problems] == ["unit_out_of_scope"]  # 1003 sits in DG-B
    report = preview_import(db, ROSTERS / "semicolon_bom.csv", None, mode=ImportMode.FULL, today=TODAY)
    assert not report.applied and _counts(report) == (3, 0, 0, 0, 0)
    assert [(s.row, s.employee_number, s.organisation_code) for s in report.samples[C]] == [
        (2, "1001", "DG-A-1"),
        (3, "1002", "DG-A"),
        (4, "1003", "DG-B"),
    ]
    db.rollback()
    assert _person_count_with_numbers(db) == 0 and _audit(db) == []


def test_the_audit_event_holds_counts_and_no_personal_data(world: World, db: Session) -> None:
    _apply(db, ROSTERS / "semicolon_bom.csv", world.admin)
    [event] = _audit(db)
    assert event.actor_id == world.admin.id and event.target == "roster"
    details = event.details
    assert (details["created"], details["deactivated"], details["rows"], details["mode"]) == (3, 0, 3, "full")
    text = json.dumps(details)
    assert "@" not in text and "Öztürk" not in text and "Ozturk" not in text


def test_xlsx_roster_with_excel_dates(world: World, db: Session, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Medewerkers"
    sheet.append(["Personeelsnummer", "Naam", "E-mail", "Organisatiecode", "Leidinggevende", "Taal", "Startdatum"])
    sheet.append([6001, "Şükrü Öztürk", "s.ozturk@example.org", "DG-A", "ja", "nl", datetime(2020, 5, 4)])
    sheet.append([6002, "Zoë Peeters", "z.peeters@example.org", "DG-B", False, "en", 43955])
    sheet.append([])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    report = _apply(db, path)
    assert report.file_format == "xlsx" and _counts(report) == (2, 0, 0, 0, 0)
    first, second = _person(db, "6001"), _person(db, "6002")
    assert (first.name, first.start_date, first.is_manager) == ("Şükrü Öztürk", date(2020, 5, 4), True)
    assert (second.start_date, second.is_manager) == (date(2020, 5, 4), False)
    assert _counts(_apply(db, path)) == (0, 0, 0, 0, 2)


def test_many_rows_in_small_batches_and_key_ordered_chunks(
    world: World, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_validate, "BATCH_SIZE", 37)
    monkeypatch.setattr(roster_validate, "ABSENT_CHUNK", 11)
    units = ["DG-A", "DG-A-1", "DG-B"]
    rows = [
        f"P{i:04d};Person {i};p{i}@example.org;{units[i % 3]};{'ja' if i % 10 == 0 else 'nee'};nl;;" for i in range(300)
    ]
    commits: list[int] = []

    def end_transaction() -> None:
        commits.append(1)
        db.commit()

    report = apply_import(
        db, _csv(tmp_path, *rows), None, mode=ImportMode.FULL, today=TODAY, end_transaction=end_transaction
    )
    assert _counts(report) == (300, 0, 0, 0, 0)
    assert len(commits) >= 300 // 37  # a commit per batch, not one for the lot
    # every third person leaves, every seventh moves
    kept = [row.replace(";DG-A;", ";DG-B;") if i % 7 == 0 else row for i, row in enumerate(rows) if i % 3 != 1]
    report = _apply(db, _csv(tmp_path, *kept))
    moved_rows = sum(1 for i in range(300) if i % 3 != 1 and i % 7 == 0 and i % 3 == 0)
    assert report.counts[D] == 100 and report.counts[U] == moved_rows
    assert report.counts[N] == 200 - moved_rows
    assert _counts(_apply(db, _csv(tmp_path, *kept))) == (0, 0, 0, 0, 200)


def test_a_rerun_after_a_crash_finishes_the_job(
    world: World, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_validate, "BATCH_SIZE", 10)
    path = _csv(tmp_path, *(f"Q{i:03d};Persoon {i};q{i}@example.org;DG-A;nee;nl;;" for i in range(45)))
    calls: list[int] = []

    def crash_after_two_batches() -> None:
        calls.append(1)
        if len(calls) == 4:  # 1: after the check, 2 and 3: two batches, 4: the third batch
            db.rollback()
            raise RuntimeError("server lost")
        db.commit()

    with pytest.raises(RuntimeError):
        apply_import(db, path, world.admin, mode=ImportMode.FULL, today=TODAY, end_transaction=crash_after_two_batches)
    db.rollback()
    assert _person_count_with_numbers(db) == 20  # two whole batches, nothing of the third
    assert len(_audit(db)) == 1  # the audit event went with the first batch
    report = _apply(db, path, world.admin)
    assert _counts(report) == (25, 0, 0, 0, 20)
    assert _person_count_with_numbers(db) == 45 and len(_audit(db)) == 2


def test_postgres_statistics_are_refreshed_while_a_roster_fills_the_table(
    world: World, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.get_bind().dialect.name != "postgresql":
        assert not roster_apply._PlannerStatistics(db).enabled  # SQLite's planner needs no help here
        return
    monkeypatch.setattr(roster_apply, "ANALYZE_AFTER", 10)
    monkeypatch.setattr(roster_validate, "BATCH_SIZE", 20)
    count = text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'person'")
    db.commit()
    before = db.scalar(count)
    _apply(db, _csv(tmp_path, *(f"S{i:03d};Persoon {i};s{i}@example.org;DG-A;nee;nl;;" for i in range(60))))
    db.commit()
    assert (db.scalar(count) or 0) > (before or 0)
