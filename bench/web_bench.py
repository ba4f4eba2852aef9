"""Lesson page and progress write under gunicorn, side by side with a bare Flask floor, on SQLite and PostgreSQL.

    .venv/bin/python bench/web_bench.py [--databases sqlite,postgresql] [--duration 10] [--workers 4] [--keep]

Needs wrk (`apt-get install -y wrk`; without it the script says so and exits 2). For each database it:

1. creates a fresh database (SQLite: a WAL file in a temporary folder; PostgreSQL: `elearning_bench_<random>` next
   to --postgres-url, dropped at the end; unreachable PostgreSQL is skipped with a line, a failure when CI=true),
   runs the migrations, loads the demo data (elearning.services.demo) and adds plain "writer" employees;
2. counts markdown renders per request in-process (Flask test client, `markdown.Markdown.convert` wrapped with a
   counter) for the lesson page and the "done" POST; the architecture says 0;
3. starts two gunicorns on free 127.0.0.1 ports with deploy/gunicorn.conf.py (sync workers, the same --workers):
   the app (`wsgi:app`) and the floor (bench/baseline_app.py: no login, CSRF or Babel; one ORM row + a tiny
   template, and a bare INSERT ... ON CONFLICT DO NOTHING into lesson_progress + commit);
4. logs in --people plain demo employees over HTTP (login form, CSRF token, session cookie) and gives wrk their
   cookies and CSRF tokens; the writers get the same kind of session made in-process by the app's own sessions.begin
   and generate_csrf (no argon2 verification per writer);
5. runs wrk (-t2 -c32 -d10s --latency by default) through a generated Lua script, floor then app, each after a
   short warm-up, and lets the server drain before the next step:
   - lesson GET: the app serves /learn/<module>/<lesson> to the employees, each walking through every lesson
     they may take (so the app also stores a changed "last position" on every request); the floor serves
     /page/<person id> for the same people;
   - done POST new: /learn/<module>/<lesson>/done (app) and /upsert (floor) for the SAME (person, module, lesson)
     keys, each new: every request inserts a row on both sides;
   - done POST again: the same for the employees' keys, all marked done beforehand: every request takes the
     ON CONFLICT DO NOTHING path on both sides;
   the rows written are counted in the table afterwards, so the write share is measured, not assumed;
6. prints requests/s, p50 and p99, the app/floor ratio against the target (>= 0.5; the lesson page's p99 also
   against <= 60 ms), non-2xx/3xx responses,
   answers that were not what the page should give (another status, or a redirect to the login page), wrk socket
   errors, whether a gunicorn log mentions "database is locked", and the rows written.

Everything listens on 127.0.0.1 only, each run is bounded by --duration, the servers are stopped in a `finally`,
and a default run takes about 12 minutes on 2 cores. Exit status: 0 when every check held (with --strict: and every
throughput and p99 target was met), 1 otherwise, 2 when wrk is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import http.cookiejar
import json
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import support  # bench/support.py: the script's own folder is on the path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_POSTGRES_URL = support.DEFAULT_POSTGRES_URL
USER_AGENT = support.USER_AGENT
HOST = support.HOST
TARGET_RATIO = 0.5
P99_TARGET_MS = 60.0  # the lesson page's p99 at 32 connections

log = logging.getLogger("web_bench")


# --------------------------------------------------------------------------------------------------------------
# databases


@contextlib.contextmanager
def sqlite_database(folder: Path) -> Iterator[tuple[str, str]]:
    import sqlite3

    description = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL, file in {folder})"
    yield f"sqlite:///{folder / 'bench.db'}", description


def postgres_unreachable(admin_url: str) -> str | None:
    """Why PostgreSQL at `admin_url` cannot be used, or None."""
    import psycopg
    from sqlalchemy.engine import make_url

    try:
        psycopg.connect(support.libpq(admin_url), connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        reason = (str(exc).strip().splitlines() or ["no answer"])[0]
        return f"PostgreSQL at {make_url(admin_url).render_as_string()} is unreachable: {reason}"
    return None


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[tuple[str, str]]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"elearning_bench_{secrets.token_hex(6)}"
    with psycopg.connect(support.libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        commit = admin.execute("SHOW synchronous_commit").fetchone()[0]  # type: ignore[index]
        fsync = admin.execute("SHOW fsync").fetchone()[0]  # type: ignore[index]
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
            yield url, f"PostgreSQL {version} (synchronous_commit={commit}, fsync={fsync}, database {name})"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Prepared:
    """A migrated database with demo data, and what the load needs to know about it."""

    app: Any  # the app in-process, with the servers' secret key: counts markdown renders, mints sessions
    people: list[tuple[int, str]]  # (person id, e-mail) of the plain demo employees logged in over HTTP
    writers: list[int]  # ids of extra plain employees for the "new" write run (one new row per request)
    lessons: list[tuple[str, str]]  # (module slug, lesson slug) of every lesson they may take
    markdown: dict[str, str] = field(default_factory=dict)


def prepare(url: str, instance: Path, secret: str, args: argparse.Namespace) -> Prepared:
    """Migrate, load the demo data, add the writers, pick the lessons, and count markdown renders in-process."""
    from sqlalchemy import select

    from elearning import create_app
    from elearning.db import get_session
    from elearning.models import EffectParticipation, Person
    from elearning.services.demo import DEMO_PASSWORD, DEMO_PEOPLE, load_demo
    from elearning.services.learning import is_audience

    support.quiet_upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "INSTANCE_DIR": str(instance), "CONTENT_RELOAD": False, "SECRET_KEY": secret}
    )
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        session = get_session()
        load_demo(session)
        session.commit()
        emails = [email for email, _name, _unit, manager, roles in DEMO_PEOPLE if not manager and not roles]
        chosen = emails[: args.people]
        found = {p.email: p for p in session.scalars(select(Person).where(Person.email.in_(chosen)))}
        first = found[chosen[0]]
        catalog = app.extensions["catalog"].get()
        lessons = [
            (m.slug, lesson.slug) for m in catalog.modules.values() if is_audience(m, first) for lesson in m.lessons
        ]
        # Enough writers that neither side runs out of new (person, lesson) keys within one run.
        count = -(-int(args.write_capacity * args.duration) // len(lessons))
        writers = [
            Person(
                employee_number=f"BENCH{i:05d}",
                name=f"Bench {i}",
                email=f"bench-{i}@example.org",
                organisation_id=first.organisation_id,
                is_manager=False,
            )
            for i in range(count)
        ]
        session.add_all(writers)
        session.flush()
        # The effect questions before a module's first lesson are answered already: the bench measures lessons.
        session.add_all(
            EffectParticipation(person_id=person_id, module_slug=m.slug, set_name="pre")
            for person_id in [found[e].id for e in chosen] + [w.id for w in writers]
            for m in catalog.modules.values()
            if m.effect is not None and "pre" in m.effect.names
        )
        session.commit()
        prepared = Prepared(
            app=app, people=[(found[e].id, e) for e in chosen], writers=[w.id for w in writers], lessons=lessons
        )
    prepared.markdown = count_markdown(app, chosen[0], DEMO_PASSWORD, lessons, args.markdown_requests)
    clear_progress(app.extensions["db_engine"])
    return prepared


CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def count_markdown(app: Any, email: str, password: str, lessons: list[tuple[str, str]], n: int) -> dict[str, str]:
    """Markdown.convert calls per lesson GET and per "done" POST, in-process with the Flask test client."""
    import markdown

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    page = client.get("/auth/login").get_data(as_text=True)
    token = CSRF.search(page)
    assert token, "no CSRF token on /auth/login"
    response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token.group(1)})
    assert response.status_code == 302, f"in-process login failed: {response.status_code}"
    page = client.get(f"/learn/{lessons[0][0]}/{lessons[0][1]}").get_data(as_text=True)
    found = CSRF.search(page)
    assert found, "no CSRF token on the lesson page"
    form_token = found.group(1)  # Flask-WTF binds the token to the session, not to the page

    calls = 0
    original = markdown.Markdown.convert

    def counting(self: markdown.Markdown, source: str) -> str:
        nonlocal calls
        calls += 1
        return original(self, source)

    result: dict[str, str] = {}
    markdown.Markdown.convert = counting  # type: ignore[method-assign]
    try:
        for endpoint in ("lesson GET", "progress POST"):
            calls = 0
            statuses: dict[int, int] = {}
            for i in range(n):
                module, lesson = lessons[i % len(lessons)]
                if endpoint == "lesson GET":
                    response = client.get(f"/learn/{module}/{lesson}")
                else:
                    response = client.post(f"/learn/{module}/{lesson}/done", data={"csrf_token": form_token})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            shown = ", ".join(f"{count}x {status}" for status, count in sorted(statuses.items()))
            result[endpoint] = f"{calls / n:g} per request ({calls} in {n} requests; responses {shown})"
            result[f"{endpoint} renders"] = str(calls)
    finally:
        markdown.Markdown.convert = original  # type: ignore[method-assign]
    return result


def clear_progress(engine: Any) -> None:
    """Empty the progress tables, so that a write run starts from the same state for the app and the floor."""
    from sqlalchemy import delete

    from elearning.models import LessonProgress, ModuleCompletion

    with engine.begin() as connection:
        connection.execute(delete(ModuleCompletion))
        connection.execute(delete(LessonProgress))


def fill_progress(engine: Any, keys: list[tuple[int, str, str]]) -> None:
    """Every (person, module, lesson) of `keys` marked done already, so that each request takes the conflict path."""
    from sqlalchemy.dialects import postgresql, sqlite

    from elearning.models import LessonProgress, utcnow

    rows = [
        {"person_id": p, "module_slug": m, "lesson_slug": ls, "content_version": "bench", "completed_at": utcnow()}
        for p, m, ls in sorted(set(keys))
    ]
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with engine.begin() as connection:
        connection.execute(insert(LessonProgress).on_conflict_do_nothing(), rows)


def count_progress(engine: Any) -> int:
    from sqlalchemy import func, select

    from elearning.models import LessonProgress

    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(LessonProgress)).scalar_one())


def count_statements(engine: Any) -> int:
    """xAPI statements in the outbox: with --xapi, shows that the app really queued them."""
    from sqlalchemy import func, select

    from elearning.models import XapiStatement

    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(XapiStatement)).scalar_one())


@dataclass
class Login:
    person_id: int
    email: str
    cookie: str
    csrf_token: str


def log_in(server: support.Server, person_id: int, email: str, password: str, lesson: tuple[str, str]) -> Login:
    """Log in over HTTP like a browser, open a lesson, and check that the cookie then stays as it is."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{server.base}/auth/login", timeout=30).read().decode()
    token = CSRF.search(page)
    if not token:
        raise RuntimeError("no CSRF token on /auth/login")
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token.group(1)}).encode()
    with opener.open(f"{server.base}/auth/login", data=form, timeout=30) as response:
        if not response.url.rstrip("/").endswith("/learn"):
            raise RuntimeError(f"login of {email} did not reach /learn/ but {response.url}")
    path = f"/learn/{lesson[0]}/{lesson[1]}"
    page = opener.open(f"{server.base}{path}", timeout=30).read().decode()
    token = CSRF.search(page)
    if not token:
        raise RuntimeError(f"no CSRF token on {path}")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    for _attempt in range(3):  # a page that changes the session would make wrk replay a stale cookie
        status, headers, _body = support.raw_request(server.port, "GET", path, cookie=cookie)
        if status != 200:
            raise RuntimeError(f"{path} with the session cookie of {email} answered {status}")
        if "set-cookie" not in headers:
            break
        cookie = headers["set-cookie"].split(";", 1)[0]
    else:
        log.warning("the lesson page keeps setting a new session cookie for %s; wrk replays the first one", email)
    return Login(person_id, email, cookie, token.group(1))


def check_sessions(server: support.Server, sessions: list[tuple[str, str]], lesson: tuple[str, str]) -> None:
    """Minted sessions must open a lesson like a logged-in browser: 200, and no new cookie."""
    path = f"/learn/{lesson[0]}/{lesson[1]}"
    for cookie, _token in sessions:
        status, headers, _body = support.raw_request(server.port, "GET", path, cookie=cookie)
        if status != 200 or "set-cookie" in headers:
            raise RuntimeError(f"a minted session got {status} on {path} (set-cookie: {'set-cookie' in headers})")


# --------------------------------------------------------------------------------------------------------------
# measurements


@dataclass
class Measurement:
    database: str
    endpoint: str
    side: str  # "floor" or "app"
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx_3xx: int = 0
    unexpected: int = 0
    first_unexpected: str = ""
    socket_errors: int = 0
    locked: bool | None = None
    tracebacks: int = 0
    rows_written: int | None = None
    ratio: float | None = None
    ratios: list[float] | None = None  # every round's ratio; `ratio` is their median


def to_measurement(database: str, endpoint: str, side: str, raw: dict[str, Any]) -> Measurement:
    return Measurement(database=database, endpoint=endpoint, side=side, **support.wrk_summary(raw))


# --------------------------------------------------------------------------------------------------------------
# one database

LESSON_GET = "lesson GET"
POST_NEW = "done POST new"
POST_AGAIN = "done POST again"
ENDPOINTS = (LESSON_GET, POST_NEW, POST_AGAIN)


def bench_database(
    kind: str, url: str, description: str, folder: Path, args: argparse.Namespace, report: dict[str, Any]
) -> list[Measurement]:
    from elearning.db import make_engine
    from elearning.services.demo import DEMO_PASSWORD

    started = time.monotonic()
    print(f"\n== {kind}: {description}", flush=True)
    secret = secrets.token_urlsafe(48)
    prepared = prepare(url, folder, secret, args)
    lessons = prepared.lessons
    print(
        f"   lessons: {len(lessons)} in {len({m for m, _ in lessons})} modules; lesson GET and 'again': "
        f"{len(prepared.people)} demo employees logged in over HTTP; 'new': {len(prepared.writers)} writers "
        f"= {len(prepared.writers) * len(lessons)} new (person, lesson) keys per run",
        flush=True,
    )
    for endpoint in ("lesson GET", "progress POST"):
        print(f"   markdown renders, {endpoint}: {prepared.markdown[endpoint]}", flush=True)
    report.setdefault("markdown", {})[kind] = prepared.markdown

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELEARNING_", "FLASK_", "GUNICORN_"))}
    env.update(
        {
            "ELEARNING_DATABASE_URL": url,
            "ELEARNING_SECRET_KEY": secret,
            "ELEARNING_WORKERS": str(args.workers),
            "ELEARNING_INSTANCE_DIR": str(folder),
            "ELEARNING_CONTENT_RELOAD": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if args.xapi:  # the app queues xAPI statements (one INSERT with a completion or a first visit); the floor does not
        env.update({"ELEARNING_XAPI_ENABLED": "1", "ELEARNING_XAPI_ENDPOINT": f"file://{folder / 'lrs'}"})
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    engine = make_engine(url)
    servers: list[support.Server] = []
    results: list[Measurement] = []
    try:
        floor = support.Server(
            "floor", "baseline_app:app", env, logs / f"gunicorn-{kind}-floor.log", ["--pythonpath", str(REPO / "bench")]
        )
        servers.append(floor)
        app = support.Server("app", "wsgi:app", env, logs / f"gunicorn-{kind}-app.log", [])
        servers.append(app)
        floor.wait_ready()
        app.wait_ready()
        print(f"   gunicorn: {args.workers} sync workers each; floor on :{floor.port}, app on :{app.port}", flush=True)

        logins = [log_in(app, pid, email, DEMO_PASSWORD, lessons[0]) for pid, email in prepared.people]
        sessions = {login.person_id: (login.cookie, login.csrf_token) for login in logins}
        minted = support.mint_sessions(prepared.app, prepared.writers, HOST, USER_AGENT)
        check_sessions(app, [minted[prepared.writers[0]], minted[prepared.writers[-1]]], lessons[0])
        sessions.update(minted)
        # Each person walks the lessons in order: every person for lesson 1, then every person for lesson 2, ...
        demo_keys = [(pid, m, ls) for m, ls in lessons for pid, _email in prepared.people]
        writer_keys = [(pid, m, ls) for m, ls in lessons for pid in prepared.writers]

        def app_posts(keys: list[tuple[int, str, str]]) -> list[support.Entry]:
            return [
                (
                    "POST",
                    f"/learn/{m}/{ls}/done",
                    urllib.parse.urlencode({"csrf_token": sessions[pid][1]}),
                    sessions[pid][0],
                )
                for pid, m, ls in keys
            ]

        def floor_posts(keys: list[tuple[int, str, str]]) -> list[support.Entry]:
            return [
                ("POST", "/upsert", urllib.parse.urlencode({"person_id": pid, "module_slug": m, "lesson_slug": ls}), "")
                for pid, m, ls in keys
            ]

        plans: dict[tuple[str, str], tuple[list[support.Entry], list[int]]] = {
            (LESSON_GET, "floor"): ([("GET", f"/page/{pid}", "", "") for pid, _m, _l in demo_keys], [200]),
            (LESSON_GET, "app"): (
                [("GET", f"/learn/{m}/{ls}", "", sessions[pid][0]) for pid, m, ls in demo_keys],
                [200],
            ),
            (POST_NEW, "floor"): (floor_posts(writer_keys), [302]),
            (POST_NEW, "app"): (app_posts(writer_keys), [302]),
            (POST_AGAIN, "floor"): (floor_posts(demo_keys), [302]),
            (POST_AGAIN, "app"): (app_posts(demo_keys), [302]),
        }
        for endpoint in ENDPOINTS:
            # Floor and app alternate, `rounds` times: the median round's pair is reported, with every ratio,
            # so that a burst of other load on a shared machine does not decide the figure.
            rounds: list[dict[str, Measurement]] = []
            for number in range(1, args.rounds + 1):
                pair: dict[str, Measurement] = {}
                for side, server in (("floor", floor), ("app", app)):
                    entries, expected = plans[(endpoint, side)]
                    tag = f"{endpoint.replace(' ', '-').lower()}-{side}-{number}"
                    script = support.write_lua(folder / f"{tag}.lua", entries, expected, args.threads)
                    if endpoint == POST_AGAIN:  # every key done already: each request takes the conflict path
                        clear_progress(engine)
                        fill_progress(engine, demo_keys)
                    if args.warmup > 0:
                        support.run_wrk(
                            server.base,
                            script,
                            args.threads,
                            args.connections,
                            args.warmup,
                            logs / f"wrk-{kind}-{tag}-warmup.txt",
                        )
                    if endpoint == POST_NEW:  # the measured run starts again at the first key, on an empty table
                        clear_progress(engine)
                    before = count_progress(engine)
                    raw = support.run_wrk(
                        server.base,
                        script,
                        args.threads,
                        args.connections,
                        args.duration,
                        logs / f"wrk-{kind}-{tag}.txt",
                    )
                    result = to_measurement(kind, endpoint, side, raw)
                    if endpoint != LESSON_GET:
                        result.rows_written = count_progress(engine) - before
                    pair[side] = result
                    print(
                        f"   {endpoint:<16} {side:<5} round {number}: {result.rps:8.1f} req/s  "
                        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms",
                        flush=True,
                    )
                pair["app"].ratio = pair["app"].rps / pair["floor"].rps if pair["floor"].rps else 0.0
                rounds.append(pair)
            ratios = [r["app"].ratio or 0.0 for r in rounds]
            median = sorted(rounds, key=lambda r: r["app"].ratio or 0.0)[len(rounds) // 2]
            median["app"].ratios = ratios
            for pair in rounds:  # errors of any round count, not only the median's
                for side in ("floor", "app"):
                    median[side].non_2xx_3xx = max(median[side].non_2xx_3xx, pair[side].non_2xx_3xx)
                    median[side].unexpected = max(median[side].unexpected, pair[side].unexpected)
                    median[side].socket_errors = max(median[side].socket_errors, pair[side].socket_errors)
            results.extend((median["floor"], median["app"]))
        if args.xapi:
            print(f"   xAPI statements queued by the app during the runs: {count_statements(engine)}", flush=True)
    finally:
        for server in servers:
            server.stop()
        engine.dispose()
        prepared.app.extensions["db_engine"].dispose()
    for result in results:
        server = next(s for s in servers if s.name == result.side)
        text = server.log_text()
        result.locked = "database is locked" in text.lower()
        result.tracebacks = text.count("Traceback (most recent call last)")
    print(f"   ({time.monotonic() - started:.0f} s for {kind})", flush=True)
    return results


# --------------------------------------------------------------------------------------------------------------
# report


def print_table(results: list[Measurement], args: argparse.Namespace) -> None:
    header = (
        f"{'database':<10} {'endpoint':<16} {'side':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'app/floor':>9} {'target':>7} {'met':>4} {'non-2xx/3xx':>11} {'unexpected':>10} "
        f"{'sock err':>8} {'db locked':>9} {'rows written':>14}"
    )
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency on {HOST}; "
        f"gunicorn sync, {args.workers} workers per app (same for floor and app)"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        target = f">={TARGET_RATIO:g}" if r.ratio is not None else ""
        met = ("yes" if r.ratio >= TARGET_RATIO else "NO") if r.ratio is not None else ""
        written = f"{r.rows_written}/{r.requests}" if r.rows_written is not None else ""
        print(
            f"{r.database:<10} {r.endpoint:<16} {r.side:<5} {r.rps:>8.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{ratio:>9} {target:>7} {met:>4} {r.non_2xx_3xx:>11} {r.unexpected:>10} {r.socket_errors:>8} "
            f"{'YES' if r.locked else 'no':>9} {written:>14}"
        )
    for r in results:
        if r.ratios and len(r.ratios) > 1:
            print(f"  {r.database} {r.endpoint}: app/floor per round {', '.join(f'{x:.2f}' for x in r.ratios)}")
    for r in results:
        if r.unexpected:
            print(f"  {r.database} {r.endpoint} {r.side}: first unexpected answer: {r.first_unexpected}")
    print(
        "rows written: lesson_progress rows inserted during the measured run / requests answered (the rest took "
        "the ON CONFLICT DO NOTHING path)."
    )
    print(
        f"{LESSON_GET}: app /learn/<module>/<lesson> for {args.people} logged-in employees walking every lesson, "
        "floor /page/<person id> (one ORM row + tiny template)."
    )
    print(
        f"{POST_NEW}: every request marks a lesson done for the first time (a new row) on both sides; "
        f"{POST_AGAIN}: every key is done already, so every request takes the conflict path on both sides."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="admin URL; a fresh database is created next to it and dropped afterwards",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers per app (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (-c)")
    parser.add_argument("--duration", type=int, default=10, help="whole seconds per measured run (-d)")
    parser.add_argument("--rounds", type=int, default=3, help="floor/app pairs per endpoint; the median is reported")
    parser.add_argument("--warmup", type=int, default=2, help="whole seconds of warm-up before each run; 0: none")
    parser.add_argument("--people", type=int, default=8, help="demo employees logged in (at most 10)")
    parser.add_argument(
        "--write-capacity",
        type=float,
        default=3000,
        help="req/s the 'new' write run must not exhaust: sets how many writers get new keys",
    )
    parser.add_argument("--markdown-requests", type=int, default=40, help="in-process requests per endpoint")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with logs and wrk output")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a throughput or p99 target is missed")
    parser.add_argument(
        "--xapi",
        action="store_true",
        help="run the app with xAPI on (statements queued in the outbox, towards a folder); the floor is unchanged",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if shutil.which("wrk") is None:
        print(support.WRK_MISSING, file=sys.stderr)
        return 2
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")

    started = time.monotonic()
    facts = support.machine_facts()
    report: dict[str, Any] = {"machine": facts, "settings": {k: str(v) for k, v in vars(args).items()}}
    print("web benchmark: lesson page and progress write, app against a bare Flask floor")
    for key, value in facts.items():
        print(f"  {key:<30} {value}")

    busy = support.cpu_busy()
    facts["CPU busy in the second before"] = f"{busy:.0%}" if busy is not None else "?"
    print(f"  {'CPU busy in the second before':<30} {facts['CPU busy in the second before']}")
    if busy is not None and busy >= 0.2:
        print("  NOTE: something else is using the CPU: the figures will be lower and noisier than on an idle machine")

    results: list[Measurement] = []
    problems: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="elearning-web-bench-"))
    try:
        for kind in databases:
            sub = folder / kind
            sub.mkdir()
            if kind == "postgresql":
                unreachable = postgres_unreachable(args.postgres_url)
                if unreachable:  # like `make test`: a line outside CI, a failure in CI
                    print(f"\n== postgresql SKIPPED: {unreachable}", flush=True)
                    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                        problems.append(f"postgresql: {unreachable} (CI requires PostgreSQL)")
                    continue
            try:
                context = sqlite_database(sub) if kind == "sqlite" else postgres_database(args.postgres_url)
                with context as (url, description):
                    report.setdefault("databases", {})[kind] = description
                    results.extend(bench_database(kind, url, description, sub, args, report))
            except Exception as exc:  # one database failing still reports the other
                first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                problems.append(f"{kind}: {type(exc).__name__}: {first_line}")
                print(f"   {kind} FAILED: {exc}", file=sys.stderr, flush=True)
        print_table(results, args)
        for kind, counts in report.get("markdown", {}).items():
            print(
                f"markdown renders per request ({kind}, in-process): lesson GET {counts['lesson GET']}; "
                f"progress POST {counts['progress POST']}"
            )
        elapsed = time.monotonic() - started
        print(
            f"total time {elapsed:.0f} s; logs and wrk output: "
            + (str(folder) if args.keep else "deleted (use --keep)")
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    for r in results:
        if r.non_2xx_3xx or r.unexpected or r.socket_errors or r.locked or r.tracebacks:
            problems.append(
                f"{r.database} {r.endpoint} {r.side}: {r.non_2xx_3xx} non-2xx/3xx, {r.unexpected} "
                f"unexpected, {r.socket_errors} socket errors, locked={r.locked}, "
                f"{r.tracebacks} tracebacks in the log"
            )
    for kind, counts in report.get("markdown", {}).items():
        for endpoint in ("lesson GET", "progress POST"):
            if counts[f"{endpoint} renders"] != "0":
                problems.append(f"{kind}: {endpoint} rendered markdown during requests")
    missed = [
        f"{r.database} {r.endpoint} {r.ratio:.2f}" for r in results if r.ratio is not None and r.ratio < TARGET_RATIO
    ]
    missed += [
        f"{r.database} {r.endpoint} p99 {r.p99_ms:.1f} ms > {P99_TARGET_MS:g} ms"
        for r in results
        if r.endpoint == LESSON_GET and r.side == "app" and r.p99_ms > P99_TARGET_MS
    ]
    report["results"] = [asdict(r) for r in results]
    report["problems"] = problems
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if missed:
        print("targets missed: " + "; ".join(missed))
    if problems:
        return 1
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
