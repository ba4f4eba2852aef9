"""HR reporting at ministry scale: the roll-up and the person-level export on SQLite and PostgreSQL.

    .venv/bin/python bench/reporting.py [--people 200000] [--databases sqlite,postgresql] [--seed 7] [--json FILE]

1. For each database a fresh one is created and migrated (PostgreSQL: `elearning_bench_reporting_<random>`,
   dropped at the end; unreachable is skipped with a line, a failure when CI=true), then filled in bulk with a
   seeded, realistic ministry: 300 units five levels deep, --people people (8 % managers), the four shipped modules
   assigned ministry-wide (three recurring, the managers' module to managers), every person's duties with their
   earlier cycles (about 10 per person: 2 million enrolment rows at 200,000 people), about 2 million lessons done
   and an assessment attempt per finished cycle of the graded modules. Then ANALYZE (PostgreSQL: VACUUM ANALYZE),
   as autovacuum would have.
2. Each measurement runs in its own child process (peak RSS is the step's own, ru_maxrss):
   - roll-up: `completion_table` for the whole ministry as the admin, as of today (median of 5 after one warm-up)
     and as of 90 days ago (the slower history path);
   - export: GET /hr/people.csv?history=1 for the whole ministry through the app (Flask test client, a session
     minted as the admin), reading the streamed body to the end: every duty with its earlier cycles;
   - floor: the export's own SELECT, ORDER BY included (`people.export_query`, compiled with literal values),
     through a raw DB-API cursor (a server-side cursor on PostgreSQL), every row written with the csv module to
     /dev/null.
3. Prints seconds, rows and peak RSS, with the targets: roll-up <= 0.5 s, export <= 1.5 x the floor, export
   process peak RSS < 100 MB. Exit 1 when a target is missed or the export and the floor disagree on the rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import support  # bench/support.py: the script's own folder is on the path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROLLUP_TARGET = 0.5
EXPORT_RATIO_TARGET = 1.5
EXPORT_RSS_TARGET = 100.0
TODAY = date.today()
NOW = datetime.now(UTC)
FIRST_NAMES = [
    "Sanne",
    "Mohamed",
    "Fatma",
    "Thanh",
    "Lotte",
    "Rishi",
    "Anna",
    "Şükrü",
    "Zoë",
    "Jan",
    "Nadia",
    "Pieter",
    "Maya",
    "Daan",
    "Iris",
    "Kwame",
    "Noor",
    "Bram",
    "Yasmina",
    "Sven",
    "Aïcha",
    "Joris",
    "Mei",
    "Elif",
]
LAST_NAMES = [
    "de Vries",
    "El Amrani",
    "Yılmaz",
    "Nguyen",
    "Visser",
    "Kartosen",
    "de Groot",
    "Öztürk",
    "Peeters",
    "Mulder",
    "Haddou",
    "Smit",
    "Tjon",
    "Bos",
    "Meijer",
    "Amankwah",
    "Bakker",
    "Jansen",
    "van Dijk",
    "Kaya",
]


# -- data ------------------------------------------------------------------------------------------------------------


def units_tree() -> list[tuple[int, str, str, int | None, str]]:
    """300 units, five levels: 1 ministry, 4 DGs, 15 directorates, 56 departments, 224 teams."""
    rows: list[tuple[int, str, str, int | None, str]] = [(1, "MIN", "Ministerie van Benchmarkzaken", None, "/1/")]
    level = [rows[0]]
    for fan, kind in (([4], "DG"), ([4, 4, 4, 3], "DIR"), ([4, 4, 4, 4] * 3 + [3, 3, 2], "AFD"), ([4], "TEAM")):
        nxt = []
        for index, parent in enumerate(level):
            for number in range(fan[index % len(fan)] if kind != "TEAM" else 4):
                unit_id = len(rows) + 1
                row = (
                    unit_id,
                    f"{parent[1]}-{kind}{number + 1}",
                    f"{kind.title()} {unit_id}",
                    parent[0],
                    f"{parent[4]}{unit_id}/",
                )
                rows.append(row)
                nxt.append(row)
        level = nxt
    return rows


def child_generate(url: str, people: int, seed: int) -> dict[str, Any]:
    """Fill the migrated database at `url` in bulk; the counts of what was made."""
    from elearning.catalog import CatalogStore
    from elearning.config import PROJECT_ROOT

    started = time.perf_counter()
    catalog = CatalogStore(PROJECT_ROOT / "content" / "modules").get()
    modules = list(catalog.modules.values())
    rng = random.Random(seed)
    units = units_tree()
    teams = [u for u in units if u[1].count("-") == 4]
    middle = [u for u in units if 0 < u[1].count("-") < 4]
    load = Loader(url)
    load.rows(
        "organisation_unit",
        ["id", "code", "name", "parent_id", "path", "created_at"],
        [(*u, NOW - timedelta(days=2000)) for u in units],
    )
    person_rows, placements = [], []
    for pid in range(1, people + 1):
        unit = rng.choice(teams) if rng.random() < 0.85 else rng.choice(middle)
        manager = rng.random() < 0.08
        placements.append((pid, unit[0], manager))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        person_rows.append((pid, f"E{pid:07d}", name, f"p{pid}@bench.example", unit[0], manager, True, NOW))
    admin_id = people + 1
    person_rows.append((admin_id, None, "Bench Admin", "admin@bench.example", 1, False, True, NOW))
    load.rows(
        "person",
        ["id", "employee_number", "name", "email", "organisation_id", "is_manager", "active", "created_at"],
        person_rows,
    )
    load.rows(
        "role_grant", ["id", "person_id", "role", "organisation_id", "granted_at"], [(1, admin_id, "admin", None, NOW)]
    )
    assignments = []
    for index, module in enumerate(modules, start=1):
        managers = module.audience == "managers"
        assignments.append(
            (
                index,
                module.slug,
                1,
                managers,
                TODAY + timedelta(days=30),
                None if managers else 12,
                NOW - timedelta(days=1500),
            )
        )
    load.rows(
        "assignment",
        [
            "id",
            "module_slug",
            "organisation_id",
            "managers_only",
            "due_on",
            "recurrence_months",
            "requires_current_version",
            "reminder_days",
            "created_at",
        ],
        [(a[0], a[1], a[2], a[3], a[4], a[5], False, "-7,0,7,14", a[6]) for a in assignments],
    )
    counts = {"units": len(units), "people": people, "enrolments": 0, "lesson_progress": 0, "attempts": 0}

    def duties():  # type: ignore[no-untyped-def]
        eid = 0
        for pid, unit_id, manager in placements:
            for assignment_id, slug, _unit, managers_only, _due, recurrence, _created in assignments:
                if managers_only and not manager:
                    continue
                cycles = rng.randint(1, 5) if recurrence else 1
                moment = NOW - timedelta(days=1460 - rng.randint(0, 300))
                due = (moment + timedelta(days=60)).date()
                for cycle in range(cycles):
                    last = cycle == cycles - 1
                    eid += 1
                    enrolled = moment
                    fate = rng.random() if last else 0.0
                    completed = enrolled + timedelta(days=rng.randint(1, 80)) if fate < 0.6 else None
                    started = (completed or enrolled) + timedelta(hours=1) if fate < 0.8 else None
                    if completed and last:  # most recent completions fall in the last half year, for the trend
                        completed = NOW - timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 999))
                        started = completed - timedelta(days=1)
                    superseded = None if last else (completed or enrolled) + timedelta(minutes=5)
                    withdrawn = NOW - timedelta(days=rng.randint(1, 60)) if last and rng.random() < 0.02 else None
                    yield (
                        eid,
                        assignment_id,
                        pid,
                        cycle,
                        due,
                        None if cycle == 0 else moment,
                        enrolled,
                        completed,
                        "v1" if completed else None,
                        withdrawn,
                        unit_id,
                        started,
                        superseded,
                        True,
                    )
                    if completed and slug_has_assessment[slug]:
                        attempts.append((pid, slug, cycle, completed))
                    if not last and completed is not None:
                        moment = completed + timedelta(minutes=5)
                        due = (moment + timedelta(days=365)).date()
                    elif last:
                        lessons_done.append(
                            (
                                pid,
                                slug,
                                rng.randint(0, len(lesson_slugs[slug])) if not completed else len(lesson_slugs[slug]),
                                started or NOW,
                            )
                        )
        counts["enrolments"] = eid

    slug_has_assessment = {m.slug: m.assessment is not None for m in modules}
    lesson_slugs = {m.slug: [lesson.slug for lesson in m.lessons] for m in modules}
    attempts: list[tuple[int, str, int, datetime]] = []
    lessons_done: list[tuple[int, str, int, datetime]] = []
    load.rows(
        "enrolment",
        [
            "id",
            "assignment_id",
            "person_id",
            "cycle",
            "due_on",
            "counts_from",
            "enrolled_at",
            "completed_at",
            "completion_version",
            "withdrawn_at",
            "organisation_id",
            "started_at",
            "superseded_at",
            "is_primary",
        ],
        duties(),
    )

    def progress():  # type: ignore[no-untyped-def]
        lid = 0
        for pid, slug, done, at in lessons_done:
            for lesson in lesson_slugs[slug][: max(done, 1)]:
                lid += 1
                yield (lid, pid, slug, lesson, "v1", at)
        counts["lesson_progress"] = lid

    load.rows(
        "lesson_progress",
        ["id", "person_id", "module_slug", "lesson_slug", "content_version", "completed_at"],
        progress(),
    )
    per_person: dict[tuple[int, str], int] = {}

    def attempt_rows():  # type: ignore[no-untyped-def]
        for aid, (pid, slug, _cycle, at) in enumerate(attempts, start=1):
            number = per_person[(pid, slug)] = per_person.get((pid, slug), 0) + 1
            yield (aid, pid, slug, number, "v1", "{}", at - timedelta(minutes=20), at, 88, True)
        counts["attempts"] = len(attempts)

    load.rows(
        "assessment_attempt",
        [
            "id",
            "person_id",
            "module_slug",
            "number",
            "content_version",
            "layout",
            "started_at",
            "submitted_at",
            "score",
            "passed",
        ],
        attempt_rows(),
    )
    load.finish()
    return {**counts, "admin_id": admin_id, "seconds": time.perf_counter() - started}


class Loader:
    """Bulk inserts: executemany on SQLite's own driver, COPY on PostgreSQL."""

    def __init__(self, url: str):
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.connection: Any = psycopg.connect(support.libpq(url))
        else:
            import sqlite3

            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.connection.execute("PRAGMA synchronous=OFF")

    def rows(self, table: str, columns: list[str], rows: Any) -> None:
        if self.postgres:
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            self.connection.commit()
            return
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(tuple(_sqlite(value) for value in row))
            if len(batch) >= 20_000:
                self.connection.executemany(statement, batch)
                batch.clear()
        self.connection.executemany(statement, batch)
        self.connection.commit()

    def finish(self) -> None:
        if self.postgres:
            self.connection.autocommit = True
            for table in (
                "organisation_unit",
                "person",
                "role_grant",
                "assignment",
                "enrolment",
                "lesson_progress",
                "assessment_attempt",
            ):
                self.connection.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            self.connection.execute("VACUUM ANALYZE")
        else:
            self.connection.execute("ANALYZE")
            self.connection.commit()
        self.connection.close()


def _sqlite(value: Any) -> Any:
    """Values as SQLAlchemy stores them on SQLite (UTC wall time as text, dates ISO, booleans 0/1)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


# -- measurements ----------------------------------------------------------------------------------------------------


def _app(url: str, folder: str) -> Any:
    from elearning import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" * 8,
            "MAIL_BACKEND": "memory",
            "INSTANCE_DIR": folder,
            "CONTENT_RELOAD": False,
        }
    )


def child_rollup(url: str, folder: str, admin_id: int) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from elearning.catalog import current_catalog
    from elearning.models import Person
    from elearning.services.reporting import ReportFilters, completion_table, report_scope

    app = _app(url, folder)
    result: dict[str, Any] = {}
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        admin = session.get(Person, admin_id)
        catalog = current_catalog()
        for name, filters in (
            ("today", ReportFilters()),
            ("90 days ago", ReportFilters(as_of=TODAY - timedelta(days=90))),
        ):
            scope = report_scope(session, admin, filters)
            times = []
            for _ in range(6):
                started = time.perf_counter()
                table = completion_table(session, catalog, scope, filters, TODAY, 10)
                times.append(time.perf_counter() - started)
            total = table.modules[0].rows[0].figures["assigned"].value
            result[name] = {
                "median": statistics.median(times[1:]),
                "best": min(times[1:]),
                "assigned": total,
                "modules": len(table.modules),
            }
    result["seconds"] = result["today"]["median"]
    return result


def child_export(url: str, folder: str, admin_id: int) -> dict[str, Any]:
    app = _app(url, folder)
    client = app.test_client()
    cookie, _token = support.mint_sessions(app, [admin_id], "127.0.0.1", "bench")[admin_id]
    name, value = cookie.split("=", 1)
    client.set_cookie(name, value)
    started = time.perf_counter()
    response = client.get("/hr/people.csv?history=1", headers={"User-Agent": "bench"}, buffered=False)
    lines = size = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    response.close()
    return {"status": response.status_code, "bytes": size, "lines": lines, "seconds": seconds}


def child_raw(url: str, folder: str, admin_id: int) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from elearning.catalog import current_catalog
    from elearning.models import Person
    from elearning.services.reporting import ReportFilters, report_scope
    from elearning.services.reporting.people import export_query
    from elearning.web.hr.tables import duty_words

    app = _app(url, folder)
    engine = app.extensions["db_engine"]
    with app.test_request_context("/hr/people.csv?history=1"), Session(engine) as session:  # the export's language
        filters = ReportFilters(history=True)
        scope = report_scope(session, session.get(Person, admin_id), filters)
        query = export_query(session, scope, filters, TODAY, duty_words(current_catalog(), "nl"))
        assert query is not None
        sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    raw = engine.raw_connection()
    started = time.perf_counter()
    cursor = raw.cursor(name="dump") if url.startswith("postgresql") else raw.cursor()
    cursor.execute(sql)
    rows = 0
    with open(os.devnull, "w", newline="") as sink:
        writer = csv.writer(sink, delimiter=";")
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
            rows += len(batch)
    seconds = time.perf_counter() - started
    cursor.close()
    raw.close()
    return {"rows": rows, "seconds": seconds}


CHILDREN = {
    "createdb": lambda a: support.create_database(a[0], Path(a[1]), a[2], "reporting"),
    "dropdb": lambda a: support.drop_database(a[0], a[1]) or {},
    "generate": lambda a: child_generate(a[0], int(a[1]), int(a[2])),
    "rollup": lambda a: child_rollup(a[0], a[1], int(a[2])),
    "export": lambda a: child_export(a[0], a[1], int(a[2])),
    "raw": lambda a: child_raw(a[0], a[1], int(a[2])),
}


def measure(kind: str, folder: Path, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    created, _cpu, _rss = support.run_child(__file__, "createdb", kind, str(folder), args.postgres_url)
    if support.unreachable(created, args.postgres_url):
        return {}, []
    url = created["url"]
    failures: list[str] = []
    try:
        data, _cpu, _rss = support.run_child(__file__, "generate", url, str(args.people), str(args.seed))
        print(
            f"   {kind}: generated {data['units']} units, {data['people']:,} people, {data['enrolments']:,} "
            f"enrolments, {data['lesson_progress']:,} lessons done, {data['attempts']:,} attempts "
            f"in {data['seconds']:.0f} s",
            flush=True,
        )
        admin = str(data["admin_id"])
        rollup, _cpu, rollup_rss = support.run_child(__file__, "rollup", url, str(folder), admin)
        export, export_cpu, export_rss = support.run_child(__file__, "export", url, str(folder), admin)
        raw, raw_cpu, raw_rss = support.run_child(__file__, "raw", url, str(folder), admin)
    finally:
        if kind == "postgresql":
            support.run_child(__file__, "dropdb", url, args.postgres_url)
    rows = export["lines"] - 1 - export_header_lines()
    result = {
        "database": kind,
        "data": data,
        "rollup": rollup,
        "rollup_rss_mb": rollup_rss,
        "export": {**export, "rows": rows, "rss_mb": export_rss, "cpu": export_cpu},
        "raw": {**raw, "rss_mb": raw_rss, "cpu": raw_cpu},
        "ratio": export["seconds"] / raw["seconds"] if raw["seconds"] else None,
    }
    if rollup["today"]["median"] > ROLLUP_TARGET:
        failures.append(f"{kind}: roll-up {rollup['today']['median']:.3f} s > {ROLLUP_TARGET} s")
    if export["status"] != 200 or rows != raw["rows"]:
        failures.append(f"{kind}: export gave {rows} rows (status {export['status']}), the floor {raw['rows']}")
    if result["ratio"] is not None and result["ratio"] > EXPORT_RATIO_TARGET:
        failures.append(f"{kind}: export {result['ratio']:.2f} x the floor > {EXPORT_RATIO_TARGET}")
    if export_rss >= EXPORT_RSS_TARGET:
        failures.append(f"{kind}: export process peak RSS {export_rss:.0f} MB >= {EXPORT_RSS_TARGET:.0f} MB")
    return result, failures


def export_header_lines() -> int:
    """Lines before the table in the CSV: the report, unit, as of, module, audience, generated, legend; a blank."""
    return 8


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        support.child_main(CHILDREN, argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=support.DEFAULT_POSTGRES_URL)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(
        f"HR reporting benchmark: {args.people:,} people, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"nproc {os.cpu_count()}",
        flush=True,
    )
    results, failures = [], []
    with tempfile.TemporaryDirectory(prefix="elearning-reporting-bench-") as folder:
        for kind in args.databases.split(","):
            result, failed = measure(kind.strip(), Path(folder), args)
            if result:
                results.append(result)
            failures += failed
    print()
    print(
        f"{'database':<11}{'roll-up today':>14}{'roll-up -90 d':>14}{'export s':>10}{'floor s':>9}{'ratio':>7}"
        f"{'rows':>12}{'export RSS':>12}{'floor RSS':>11}"
    )
    for r in results:
        print(
            f"{r['database']:<11}{r['rollup']['today']['median']:>13.3f}s{r['rollup']['90 days ago']['median']:>13.3f}s"
            f"{r['export']['seconds']:>10.1f}{r['raw']['seconds']:>9.1f}{r['ratio']:>7.2f}{r['export']['rows']:>12,}"
            f"{r['export']['rss_mb']:>9.0f} MB{r['raw']['rss_mb']:>8.0f} MB"
        )
    print(
        f"targets: roll-up <= {ROLLUP_TARGET} s (today, median of 5), export <= {EXPORT_RATIO_TARGET} x the floor, "
        f"export process peak RSS < {EXPORT_RSS_TARGET:.0f} MB"
    )
    for failure in failures:
        print(f"MISSED: {failure}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
