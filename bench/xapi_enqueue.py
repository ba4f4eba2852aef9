"""Time the learner's writes that queue an xAPI statement, with xAPI on against off, in the same run.

    .venv/bin/python bench/xapi_enqueue.py [--people 300] [--rounds 5] [--databases sqlite,postgresql] [--json FILE]

The web benchmark (`web_bench.py --xapi`) shows that the lesson page and "lesson done" keep their speed with xAPI
on, but its requests rarely complete a module, so it hardly queues a statement. This one times exactly the writes
that do, in-process on a fresh database with the shipped content, each followed by a commit as in the view:

- **first visit**: `position.open_lesson` on a module a person has not opened yet (queues "launched");
- **completing lesson**: `progress.mark_lesson_done` for the module's last lesson, which completes it (queues
  "completed").

Off and on alternate per round on fresh people; the median round's times per write and their ratio (on/off) are
printed. On: one INSERT of the statement (about 1 KB of JSON) in the same transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
import support  # noqa: E402  (bench/support.py: the script's own folder is on the path)
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from elearning.content import load_catalog  # noqa: E402
from elearning.db import make_engine  # noqa: E402
from elearning.models import Person  # noqa: E402
from elearning.services import position, progress  # noqa: E402
from elearning.services.organisations import create_unit  # noqa: E402
from elearning.services.xapi.record import enable  # noqa: E402
from elearning.services.xapi.settings import from_config  # noqa: E402

MODULE = "b-omstander"  # no assessment: the last lesson completes it
POSTGRES = support.DEFAULT_POSTGRES_URL


def _time(session: Session, people: list[Person], action: object) -> float:
    """Seconds per write: the action and its commit, for each person."""
    started = time.perf_counter()
    for person in people:
        action(person)  # type: ignore[operator]
        session.commit()
    return (time.perf_counter() - started) / len(people)


def run(url: str, people: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    support.quiet_upgrade(url)
    catalog = load_catalog(REPO / "content" / "modules")
    module = catalog.modules[MODULE]
    settings = from_config(
        {"XAPI_ENABLED": True, "XAPI_ENDPOINT": "file:///tmp/unused", "SECRET_KEY": "x" * 40, "BASE_URL": "https://b"}
    )
    last = module.lessons[-1].slug
    engine = make_engine(url)
    timings: dict[str, list[tuple[float, float]]] = {"first visit": [], "completing lesson": []}
    with Session(engine, expire_on_commit=False) as session:
        unit = create_unit(session, "BENCH", "Bench")
        session.commit()
        for number in range(rounds):
            pair: dict[str, dict[str, float]] = {"first visit": {}, "completing lesson": {}}
            for mode in ("off", "on"):
                crowd = [
                    Person(name="b", email=f"{uuid.uuid4().hex}@example.org", organisation_id=unit.id)
                    for _ in range(people)
                ]
                session.add_all(crowd)
                session.commit()
                for person in crowd:  # every lesson but the last, untimed
                    for lesson in module.lessons[:-1]:
                        progress.mark_lesson_done(session, catalog, person, MODULE, lesson.slug)
                session.commit()
                enable(session, settings if mode == "on" else None)
                pair["first visit"][mode] = _time(
                    session, crowd, lambda p: position.open_lesson(session, p, module, module.lessons[0].slug)
                )
                pair["completing lesson"][mode] = _time(
                    session, crowd, lambda p: progress.mark_lesson_done(session, catalog, p, MODULE, last)
                )
                enable(session, None)
            for name, sides in pair.items():
                timings[name].append((sides["off"], sides["on"]))
            print(
                f"  round {number + 1}: " + ", ".join(f"{n} on/off {s['on'] / s['off']:.2f}" for n, s in pair.items())
            )
    engine.dispose()
    return timings


def report(kind: str, timings: dict[str, list[tuple[float, float]]]) -> list[dict[str, object]]:
    """Print the median round per write; the same as rows for --json."""
    rows: list[dict[str, object]] = []
    for name, pairs in timings.items():
        ratios = [on / off for off, on in pairs]
        median = statistics.median(ratios)
        off, on = sorted(pairs, key=lambda p: p[1] / p[0])[len(pairs) // 2]
        print(
            f"{kind:<10} {name:<18} off {off * 1000:7.3f} ms  on {on * 1000:7.3f} ms  on/off {median:.2f} "
            f"(rounds {', '.join(f'{r:.2f}' for r in ratios)})"
        )
        rows.append(
            {"database": kind, "write": name, "off_ms": off * 1000, "on_ms": on * 1000}
            | {"ratio": median, "ratios": ratios}
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=300, help="people per side and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=POSTGRES)
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    results = {}
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        print(f"{kind}: {args.people} people per side, {args.rounds} rounds")
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results[kind] = run(f"sqlite:///{Path(folder) / 'bench.db'}", args.people, args.rounds)
            continue
        name = f"elearning_bench_{uuid.uuid4().hex[:10]}"
        try:
            admin = psycopg.connect(support.libpq(args.postgres_url), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            support.unreachable({"unreachable": str(exc).strip().splitlines()[0]}, args.postgres_url)  # CI: fatal
            continue
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
                results[kind] = run(url, args.people, args.rounds)
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print()
    rows = [row for kind, timings in results.items() for row in report(kind, timings)]
    if args.json:
        args.json.write_text(json.dumps({"cores": os.cpu_count(), "people": args.people, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
