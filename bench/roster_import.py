"""Import a generated 200,000-person HR roster into fresh SQLite and PostgreSQL databases, against a csv floor.

    .venv/bin/python bench/roster_import.py [--people 200000] [--databases sqlite,postgresql] [--seed 6] [--json FILE]

1. Generates, with a seeded RNG, an organisation tree of about 1,500 units (ministries → DGs → directorates →
   departments) and a roster of --people people in a temporary folder: Dutch and international names with
   diacritics, unique e-mail addresses and employee numbers, managers, languages, start dates and some future end
   dates ("roster.csv", UTF-8, `;`, YYYY-MM-DD). A second month's roster ("month2.csv", UTF-8 with a BOM,
   DD-MM-YYYY dates and ja/nee, as Dutch Excel writes CSV) has 3 % movers, 1 % name or e-mail changes, 2 % leavers
   with an end date in the past, 1 % people left out and 2 % newcomers.
2. For each database creates a fresh one (SQLite: a WAL file next to the rosters; PostgreSQL:
   `elearning_bench_roster_<random>` next to --postgres-url, dropped at the end; unreachable PostgreSQL is skipped
   with a line, a failure when CI=true), runs the migrations and inserts the units and one learner.
3. Runs every step in a fresh child process (this script with --child; the parent itself only orchestrates with
   the standard library, so a child inherits little peak RSS across fork + exec), so that the peak RSS
   (resource.getrusage, ru_maxrss) is that step's; seconds are measured in the child around the work itself:
   - floor: reading and splitting the same CSV with the csv module, nothing else (the ratio's denominator);
   - first import: `apply_import` of the full roster into the empty database (everything created);
   - second import: the same file again (everything unchanged, nothing written);
   - month two, dry run (`preview_import`: what the web preview does) and month two applied;
   - while the first import runs, a learner process inserts a lesson_progress row and commits every 50 ms and
     records how long each write took: the longest wait shows whether the import blocks learners;
   - SQLite only: the first import of a tenth of the roster into another fresh database, to show how peak memory
     grows with the roster (by the sets of employee numbers and e-mail addresses only: batches are fixed in size).
4. Prints seconds, rows/s, peak RSS and the ratio to the floor per step; exit 1 when an import took a minute or
   more, a count was not what the generator made, or a learner's write failed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import support  # bench/support.py: the script's own folder is on the path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TODAY = date(2026, 2, 1)
# The shipped modules (content/modules), assigned in the seeded database: (slug, managers only).
MODULES = [("a-herkennen", False), ("b-omstander", False), ("c-melden-en-steun", False), ("d-leidinggevenden", True)]
TARGET_SECONDS = 60.0
LEARNER_INTERVAL = 0.05
HEADER = ["personeelsnummer", "naam", "e-mail", "organisatiecode", "leidinggevende", "taal", "startdatum", "einddatum"]
FIRST_NAMES = [
    "Jan", "Sanne", "Mohamed", "Fatma", "Şükrü", "Zoë", "Thanh", "Lotte", "Rishi", "Anna", "Daan", "Iris", "Maya",
    "François", "Jürgen", "Noor", "Sem", "Lieke", "Aylin", "Björn", "Chloë", "Inês", "Małgorzata", "Kwame", "Priya",
    "Stijn", "Eline", "Youssef", "Siham", "Ruud", "Marieke", "Dewi", "Rafał", "Joëlle", "Hüseyin", "Emre", "Ngozi",
]  # fmt: skip
LAST_NAMES = [
    "de Vries", "Jansen", "van den Berg", "Bakker", "Öztürk", "Yılmaz", "Nguyen", "Visser", "Kartosen", "de Groot",
    "Peeters", "Mulder", "Haddou", "Smit", "Tjon", "Bos", "Meijer", "Müller", "Dubois", "El Amrani", "Ramdin",
    "van Dijk", "Çelik", "Kowalski", "Wójcik", "Mensah", "Sánchez", "Gonçalves", "Hoekstra", "Brouwer", "Şahin",
]  # fmt: skip


@dataclass
class Person:
    number: str
    name: str
    email: str
    unit: str
    manager: bool
    language: str
    start: date
    end: date | None


@dataclass
class Expected:
    """What the month-two roster must do, as the generator made it."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


@dataclass
class Step:
    database: str
    step: str
    rows: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    counts: dict[str, int] = field(default_factory=dict)
    problems: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# -- generating ----------------------------------------------------------------------------------------------------


def organisation(rng: random.Random) -> list[tuple[str, str, str | None]]:
    """(code, name, parent code) for about 1,500 units, parents first."""
    units: list[tuple[str, str, str | None]] = []
    for m in range(1, 11):
        ministry = f"M{m:02d}"
        units.append((ministry, f"Ministerie {m}", None))
        for d in range(1, rng.randint(4, 6) + 1):
            dg = f"{ministry}-DG{d}"
            units.append((dg, f"Directoraat-generaal {m}.{d}", ministry))
            for r in range(1, rng.randint(4, 6) + 1):
                directorate = f"{dg}-D{r}"
                units.append((directorate, f"Directie {m}.{d}.{r}", dg))
                for a in range(1, rng.randint(3, 6) + 1):
                    units.append((f"{directorate}-A{a}", f"Afdeling {m}.{d}.{r}.{a}", directorate))
    return units


def roster(rng: random.Random, size: int, unit_codes: list[str]) -> list[Person]:
    numbers = rng.sample(range(1_000_000, 9_999_999), size)
    people = []
    for index, number in enumerate(numbers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace(" ", "")
        start = date(1985, 1, 1) + timedelta(days=rng.randrange(40 * 365))
        end = TODAY + timedelta(days=rng.randrange(30, 700)) if rng.random() < 0.02 else None
        people.append(
            Person(
                str(number),
                f"{first} {last}",
                f"{local.encode('ascii', 'ignore').decode()}.{index}@rijksoverheid.example",
                rng.choice(unit_codes),
                rng.random() < 0.07,
                rng.choices(["nl", "en", ""], weights=[85, 10, 5])[0],
                start,
                end,
            )
        )
    return people


def month_two(rng: random.Random, people: list[Person], unit_codes: list[str]) -> tuple[list[Person], Expected]:
    expected = Expected()
    result = []
    for person in people:
        draw = rng.random()
        if draw < 0.01:  # left out of the file
            expected.deactivated += 1
            continue
        changed = Person(**asdict(person))
        if draw < 0.03:  # a leaver: end date in the past
            changed.end = TODAY - timedelta(days=rng.randrange(1, 60))
            expected.deactivated += 1
        elif draw < 0.06:  # moved to another unit
            changed.unit = rng.choice([code for code in rng.sample(unit_codes, 2) if code != person.unit])
            expected.updated += 1
        elif draw < 0.07:  # a new name or address
            changed.name = changed.name + " " + rng.choice(LAST_NAMES)
            changed.email = "new." + changed.email
            expected.updated += 1
        else:
            expected.unchanged += 1
        result.append(changed)
    newcomers = roster(rng, len(people) // 50, unit_codes)
    for index, person in enumerate(newcomers):
        person.number = f"N{index:07d}"
        person.email = f"newcomer.{index}@rijksoverheid.example"
        person.end = None
    expected.created = len(newcomers)
    result += newcomers
    rng.shuffle(result)
    return result, expected


def write_roster(path: Path, people: list[Person], *, dutch: bool) -> None:
    """UTF-8 with `;` and ISO dates; `dutch`: with a BOM and DD-MM-YYYY dates, as Dutch Excel writes CSV."""

    def day(value: date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d-%m-%Y") if dutch else value.isoformat()

    with path.open("w", encoding="utf-8-sig" if dutch else "utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(HEADER)
        for p in people:
            manager = ("ja" if p.manager else "nee") if dutch else ("yes" if p.manager else "no")
            writer.writerow([p.number, p.name, p.email, p.unit, manager, p.language, day(p.start), day(p.end)])


# -- databases -------------------------------------------------------------------------------------------------------


# -- databases and child processes ---------------------------------------------------------------------------------


def seed_database(url: str, units: list[tuple[str, str, str | None]]) -> int:
    """Insert the organisation tree with its materialised paths, and one learner; the learner's id."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from elearning.db import make_engine
    from elearning.models import Assignment, OrganisationUnit
    from elearning.models import Person as PersonRow

    engine = make_engine(url)
    paths: dict[str, tuple[int, str]] = {}
    rows = []
    for index, (code, name, parent) in enumerate(units, start=1):
        parent_id, parent_path = paths[parent] if parent else (None, "/")
        paths[code] = (index, f"{parent_path}{index}/")
        rows.append({"id": index, "code": code, "name": name, "parent_id": parent_id, "path": paths[code][1]})
    with Session(engine) as session:
        session.execute(insert(OrganisationUnit), rows)
        for slug, managers in MODULES:  # each shipped module for the whole first tree, due 30 days after starting
            session.add(
                Assignment(module_slug=slug, organisation_id=1, managers_only=managers, due_days_after_start=30)
            )
        learner = PersonRow(name="Learner", email="learner@bench.example", organisation_id=1)
        session.add(learner)
        session.commit()
        learner_id = learner.id
    if url.startswith("postgresql"):
        with engine.begin() as connection:  # ids were given explicitly: move the sequence past them
            from sqlalchemy import text

            connection.execute(
                text("SELECT setval('organisation_unit_id_seq', (SELECT max(id) FROM organisation_unit))")
            )
    engine.dispose()
    return learner_id


# -- child processes -----------------------------------------------------------------------------------------------


def child_floor(path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    rows = 0
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for _row in csv.reader(stream, delimiter=";"):
            rows += 1
    return {"rows": rows - 1, "seconds": time.perf_counter() - started}


def child_import(url: str, path: Path, mode: str, dry_run: bool) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from elearning.catalog import CatalogStore
    from elearning.config import PROJECT_ROOT
    from elearning.db import make_engine
    from elearning.services.roster import ImportMode, apply_import, preview_import

    engine = make_engine(url)
    catalog = CatalogStore(PROJECT_ROOT / "content" / "modules").get()
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        if dry_run:
            report = preview_import(session, path, None, mode=ImportMode(mode), today=TODAY)
        else:  # as `flask people import` does: the people, then their enrolments in the four assignments
            report = apply_import(
                session,
                path,
                None,
                mode=ImportMode(mode),
                today=TODAY,
                end_transaction=session.commit,
                catalog=catalog,
            )
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "seconds": seconds,
        "rows": report.rows,
        "counts": {kind.value: count for kind, count in report.counts.items()},
        "problems": report.problem_total,
        "first_problems": [f"{p.where()}: {p.message}" for p in report.problems[:5]],
    }


def child_learner(url: str, person_id: int, stop: Path) -> dict[str, Any]:
    """Mark a lesson done every 50 ms, like a learner clicking on, until `stop` exists; each write's latency."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from elearning.db import make_engine
    from elearning.models import LessonProgress

    engine = make_engine(url)
    latencies: list[float] = []
    errors: list[str] = []
    number = 0
    with Session(engine) as session:
        while not stop.exists():
            number += 1
            started = time.perf_counter()
            try:
                session.execute(
                    insert(LessonProgress).values(
                        person_id=person_id, module_slug="bench", lesson_slug=f"l{number}", content_version="v1"
                    )
                )
                session.commit()
            except Exception as exc:  # recorded, not raised: the bench reports it
                session.rollback()
                errors.append(str(exc).splitlines()[0])
            latencies.append(time.perf_counter() - started)
            time.sleep(LEARNER_INTERVAL)
    engine.dispose()
    return {"latencies": latencies, "errors": errors[:5], "error_count": len(errors)}


def child_generate(folder: Path, size: int, seed: int) -> dict[str, Any]:
    """Write the rosters and the organisation tree; in a child, so that the parent stays small (see run_child)."""
    rng = random.Random(seed)
    units = organisation(rng)
    unit_codes = [code for code, _name, _parent in units]
    people = roster(rng, size, unit_codes)
    second, expected = month_two(rng, people, unit_codes)
    write_roster(folder / "roster.csv", people, dutch=False)
    write_roster(folder / "month2.csv", second, dutch=True)
    write_roster(folder / "small.csv", people[: size // 10], dutch=False)
    (folder / "units.json").write_text(json.dumps(units))
    return {"units": len(units), "expected": asdict(expected), "seconds": 0.0}


def child_create_database(kind: str, folder: Path, postgres_url: str) -> dict[str, Any]:
    """A fresh database, migrated, with the organisation tree and one learner: its URL and the learner's id."""
    created = support.create_database(kind, folder, postgres_url, "roster")
    if "unreachable" in created:
        return {**created, "seconds": 0.0}
    units = [tuple(unit) for unit in json.loads((folder / "units.json").read_text())]
    return {"url": created["url"], "learner_id": seed_database(created["url"], units), "seconds": 0.0}  # type: ignore[arg-type]


def child_drop_database(url: str, postgres_url: str) -> dict[str, Any]:
    support.drop_database(url, postgres_url)
    return {"seconds": 0.0}


CHILDREN = {
    "generate": lambda a: child_generate(Path(a[0]), int(a[1]), int(a[2])),
    "createdb": lambda a: child_create_database(a[0], Path(a[1]), a[2]),
    "dropdb": lambda a: child_drop_database(a[0], a[1]),
    "floor": lambda a: child_floor(Path(a[0])),
    "import": lambda a: child_import(a[0], Path(a[1]), a[2], dry_run=a[3] == "dry"),
    "learner": lambda a: child_learner(a[0], int(a[1]), Path(a[2])),
}


def run_child(*args: str) -> tuple[dict[str, Any], float, float, float]:
    """Run this script as a child step: its result, the step's own wall seconds (measured around the work, without
    the interpreter's start), the child's CPU seconds and its peak RSS (MB)."""
    result, cpu, rss = support.run_child(__file__, *args)
    return result, result["seconds"], cpu, rss


# -- the run ---------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path, postgres_url: str) -> Iterator[tuple[str, int] | None]:
    """(URL, learner id) of a fresh database, dropped afterwards; None when PostgreSQL is unreachable outside CI."""
    created, _s, _c, _r = run_child("createdb", kind, str(folder), postgres_url)
    if support.unreachable(created, postgres_url):
        yield None
        return
    try:
        yield created["url"], created["learner_id"]
    finally:
        if kind == "postgresql":
            run_child("dropdb", created["url"], postgres_url)


def measure_database(
    kind: str, folder: Path, postgres_url: str, people: int, expected: dict[str, int]
) -> tuple[list[Step], dict[str, Any], list[str]]:
    steps: list[Step] = []
    failures: list[str] = []
    learner: dict[str, Any] = {}
    with fresh_database(kind, folder, postgres_url) as database:
        if database is None:
            return steps, learner, failures
        url, learner_id = database
        stop = folder / f"stop-{kind}"
        writer = subprocess.Popen(
            [sys.executable, __file__, "--child", "learner", url, str(learner_id), str(stop)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(1.0)  # the learner is writing before the import starts
            plan = [
                ("first import", "roster.csv", "apply", {"created": people}),
                ("second import (same file)", "roster.csv", "apply", {"unchanged": people}),
                ("month two, dry run", "month2.csv", "dry", expected),
                ("month two", "month2.csv", "apply", expected),
            ]
            for index, (name, file, how, want) in enumerate(plan):
                result, seconds, cpu, rss = run_child("import", url, str(folder / file), "full", how)
                if index == 0:
                    stop.touch()
                    output, _ = writer.communicate(timeout=60)
                    learner = json.loads(output.strip().splitlines()[-1])["result"]
                step = Step(kind, name, result["rows"], seconds, cpu, rss, result["counts"], result["problems"])
                steps.append(step)
                if step.problems:
                    failures.append(f"{kind} {name}: {step.problems} problem(s): {result['first_problems']}")
                for key, value in want.items():
                    if step.counts.get(key) != value:
                        failures.append(f"{kind} {name}: {key} {step.counts.get(key)}, expected {value}")
                if how == "apply" and seconds >= TARGET_SECONDS:
                    failures.append(f"{kind} {name}: {seconds:.1f} s, target < {TARGET_SECONDS:.0f} s")
        finally:
            stop.touch()
            with contextlib.suppress(subprocess.TimeoutExpired):
                writer.wait(timeout=60)
    if learner.get("error_count"):
        failures.append(f"{kind}: {learner['error_count']} learner write(s) failed: {learner['errors']}")
    return steps, learner, failures


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        support.child_main(CHILDREN, argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--postgres-url", default=support.DEFAULT_POSTGRES_URL)
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPU(s), load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as temporary:
        folder = Path(temporary)
        generated, _s, _c, _r = run_child("generate", str(folder), str(args.people), str(args.seed))
        expected: dict[str, int] = generated["expected"]
        print(
            f"roster: {args.people:,} people in {generated['units']:,} units (seed {args.seed}), "
            f"{(folder / 'roster.csv').stat().st_size / 1e6:.1f} MB CSV; month two: {expected['created']:,} new, "
            f"{expected['updated']:,} changed, {expected['deactivated']:,} leaving, {expected['unchanged']:,} unchanged"
        )
        floor, floor_seconds, floor_cpu, floor_rss = run_child("floor", str(folder / "roster.csv"))
        steps = [Step("-", "floor: csv module read + split", floor["rows"], floor_seconds, floor_cpu, floor_rss)]
        learners: dict[str, dict[str, Any]] = {}
        failures: list[str] = []
        for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
            found, learner, problems = measure_database(kind, folder, args.postgres_url, args.people, expected)
            steps += found
            failures += problems
            if learner:
                learners[kind] = learner
            if kind == "sqlite" and found:
                with fresh_database("sqlite", folder, args.postgres_url) as database:
                    assert database is not None
                    result, seconds, cpu, rss = run_child(
                        "import", database[0], str(folder / "small.csv"), "full", "apply"
                    )
                    name = f"first import of {args.people // 10:,} (memory)"
                    steps.append(Step(kind, name, result["rows"], seconds, cpu, rss, result["counts"]))
    report(steps, learners, failures, floor_seconds, args.json)
    return 1 if failures else 0


def report(
    steps: list[Step], learners: dict[str, dict[str, Any]], failures: list[str], floor_seconds: float, path: Path | None
) -> None:
    header = (
        f"{'database':<10} {'step':<34} {'rows':>8} {'seconds':>8} {'CPU s':>7} {'rows/s':>9} "
        f"{'peak RSS':>9} {'x floor':>8}  counts"
    )
    print(header)
    print("-" * len(header))
    for step in steps:
        counts = ", ".join(f"{k} {v:,}" for k, v in step.counts.items() if v)
        print(
            f"{step.database:<10} {step.step:<34} {step.rows:>8,} {step.seconds:>8.2f} {step.cpu_seconds:>7.2f} "
            f"{step.rows_per_second:>9,.0f} {step.peak_rss_mb:>6.0f} MB {step.seconds / floor_seconds:>7.0f}x  "
            f"{counts}"
        )
    for kind, learner in learners.items():
        latencies = sorted(learner["latencies"])
        if not latencies:
            continue
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"{kind}: a learner's lesson-done write (insert + commit every {LEARNER_INTERVAL * 1000:.0f} ms) during "
            f"the first import: {len(latencies)} writes, median {statistics.median(latencies) * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms, {learner['error_count']} failed"
        )
    if path:
        path.write_text(
            json.dumps(
                {
                    "steps": [asdict(s) | {"rows_per_second": s.rows_per_second} for s in steps],
                    "learners": {
                        kind: {k: v for k, v in learner.items() if k != "latencies"}
                        | {"max_ms": max(learner["latencies"], default=0) * 1000}
                        for kind, learner in learners.items()
                    },
                    "failures": failures,
                },
                indent=2,
            )
        )
    for failure in failures:
        print(f"FAILED: {failure}")
    print("all checks held" if not failures else f"{len(failures)} check(s) failed")


if __name__ == "__main__":
    raise SystemExit(main())
