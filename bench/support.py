"""What the benchmarks share: machine facts, fresh databases, measured child processes, sessions minted without a
password check, gunicorn on a loopback port, and wrk with a script that checks every answer.

Each measured step runs in a child process (the benchmark script itself with --child), so that its peak RSS
(resource.getrusage, ru_maxrss) is the step's own; the parent orchestrates with the standard library only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import resource
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = os.environ.get(
    "ELEARNING_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
GUNICORN_CONFIG = REPO / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
USER_AGENT = "elearning-bench/1"  # the same for login and wrk: flask-login's "strong" session protection
SETTLE_SECONDS = 1.0


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg takes it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- the machine -----------------------------------------------------------------------------------------------------


def run_text(cmd: list[str]) -> str:
    """A command's standard output, or "?" when it cannot run."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10, cwd=REPO).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def _first_value(path: str, key: str) -> str:
    """The value after `key:` on the first matching line of a /proc file, or "?"."""
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return "?"


def operating_system() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, kernel {platform.release()}"
    return f"{platform.system()} {platform.release()}"


def postgres_version(url: str = DEFAULT_POSTGRES_URL) -> str:
    """The server's version with its durability settings, or why it could not be asked."""
    import psycopg

    try:
        with psycopg.connect(libpq(url), connect_timeout=5) as connection:
            values = [
                connection.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in ("server_version", "synchronous_commit", "fsync")
            ]
    except psycopg.OperationalError as exc:
        return f"unreachable ({(str(exc).strip().splitlines() or ['no answer'])[0]})"
    return f"{values[0]} (synchronous_commit={values[1]}, fsync={values[2]})"


def machine_facts(postgres_url: str = DEFAULT_POSTGRES_URL) -> dict[str, str]:
    """What a figure depends on: cores, CPU, memory, OS, Python, the databases, the tools and the code."""
    from importlib.metadata import version

    memory = _first_value("/proc/meminfo", "MemTotal")
    with contextlib.suppress(ValueError, IndexError):
        memory = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB"
    wrk = run_text(["wrk", "-v"]).splitlines()
    nginx_binary = nginx_path()
    nginx = subprocess.run([nginx_binary, "-v"], capture_output=True, text=True, check=False) if nginx_binary else None
    dirty = run_text(["git", "status", "--porcelain"])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": _first_value("/proc/cpuinfo", "model name"),
        "memory": memory,
        "os": operating_system(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(postgres_url),
        "flask / sqlalchemy / gunicorn / psycopg": " / ".join(
            version(name) for name in ("flask", "sqlalchemy", "gunicorn", "psycopg")
        ),
        "wrk": wrk[0].split(" [")[0].removeprefix("wrk ") if wrk and wrk[0] != "?" else "not installed",
        "nginx": nginx.stderr.strip().split("/", 1)[-1] if nginx else "not installed",
        "git": run_text(["git", "rev-parse", "--short", "HEAD"])
        + (f" + {len(dirty.splitlines())} uncommitted file(s)" if dirty.strip() else ""),
    }


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy during `seconds`, from /proc/stat (None where there is no /proc)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    try:
        idle_a, total_a = sample()
        time.sleep(seconds)
        idle_b, total_b = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle_b - idle_a) / (total_b - total_a) if total_b > total_a else None


def load_before() -> dict[str, Any]:
    """How busy the machine is right now: load averages and the share of CPU busy in the next second."""
    busy = cpu_busy()
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu_busy": None if busy is None else round(busy, 3),
    }


def nginx_path() -> str | None:
    """nginx on PATH or in /usr/sbin (not on a normal user's PATH on Debian)."""
    import shutil

    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


# -- databases -----------------------------------------------------------------------------------------------------


def quiet_upgrade(url: str) -> None:
    """Run the migrations; Alembic's log of every step is shown only when the upgrade fails."""
    import io

    from elearning.migrate import upgrade

    migration_log = io.StringIO()
    try:
        with contextlib.redirect_stderr(migration_log):
            upgrade(url)
    except Exception:
        print(migration_log.getvalue(), file=sys.stderr)
        raise


def create_database(kind: str, folder: Path, postgres_url: str, prefix: str) -> dict[str, Any]:
    """A fresh, migrated database: {"url": ...}, or {"unreachable": why} for a PostgreSQL that does not answer."""
    from elearning.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{prefix}-{secrets.token_hex(4)}.db'}"
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        try:
            admin = psycopg.connect(libpq(postgres_url), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            return {"unreachable": (str(exc).strip().splitlines() or ["no answer"])[0]}
        name = f"elearning_bench_{prefix}_{secrets.token_hex(6)}"
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return {"url": url}


def drop_database(url: str, postgres_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(libpq(postgres_url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unreachable(created: dict[str, Any], postgres_url: str) -> bool:
    """True (after saying so) when PostgreSQL could not be used; outside CI that skips it, in CI it is fatal."""
    if "unreachable" not in created:
        return False
    if IN_CI:
        raise SystemExit(f"PostgreSQL is unreachable: {created['unreachable']} (CI requires it)")
    print(f"PostgreSQL skipped: unreachable at {postgres_url.split('@')[-1]}: {created['unreachable']}")
    return True


def child_main(children: dict[str, Callable[[list[str]], dict[str, Any]]], args: list[str]) -> None:
    """Run one child step and print its result with the process's CPU seconds and peak RSS as JSON."""
    import logging

    logging.disable(logging.INFO)  # no migration chatter in a measured step
    result = children[args[0]](args[1:])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # ru_maxrss is in kilobytes on Linux; the parent runs the standard library only, so a child inherits little.
    print(json.dumps({"result": result, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))


def run_child(script: str, *args: str) -> tuple[dict[str, Any], float, float]:
    """Run `script --child args...`: its result, its CPU seconds and its peak RSS (MB)."""
    completed = subprocess.run([sys.executable, script, "--child", *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"step {args[0]} failed:\n{completed.stderr[-3000:]}")
    payload = json.loads(completed.stdout.strip().splitlines()[-1])
    return payload["result"], payload["cpu"], payload["rss_mb"]


def mint_sessions(app: Any, person_ids: list[int], host: str, user_agent: str) -> dict[int, tuple[str, str]]:
    """Session cookie and CSRF token per person, made by the app's own login (elearning.web.sessions.begin).

    The same cookie a login over HTTP ends with (user id, login-session token, freshness, flask-login's identifier
    for this address and User-Agent, the CSRF secret), signed with the app's secret key, and the same
    `login_session` row; only the password check is skipped, which would cost an argon2 verification (and its
    memory) per person.
    """
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from elearning.db import get_session
    from elearning.models import Person
    from elearning.web import sessions

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    minted: dict[int, tuple[str, str]] = {}
    for person_id in person_ids:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": host}, headers={"User-Agent": user_agent}):
            db = get_session()
            person = db.get(Person, person_id)
            if person is None:
                continue
            sessions.begin(person)
            db.commit()
            token = generate_csrf()
            minted[person.id] = (f"{name}={serializer.dumps(dict(session))}", token)
    return minted


# -- servers ---------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def gunicorn_path() -> str:
    beside = Path(sys.executable).parent / "gunicorn"
    return str(beside) if beside.exists() else "gunicorn"


def no_control_socket() -> list[str]:
    """gunicorn 24+ opens a control socket at one fixed path per user; two servers at once would share it."""
    usage = run_text([gunicorn_path(), "--help"])
    return ["--no-control-socket"] if "--no-control-socket" in usage else []


def stop_gunicorn(process: subprocess.Popen[Any]) -> None:
    """SIGTERM to a gunicorn master (it stops its workers); SIGKILL to its process group if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class Server:
    """One gunicorn with deploy/gunicorn.conf.py on a free loopback port; its output goes to a log file."""

    def __init__(self, name: str, app_spec: str, env: dict[str, str], log_path: Path, extra: list[str]):
        self.name = name
        self.port = free_port()
        self.log_path = log_path
        command = [
            gunicorn_path(),
            "--config",
            str(GUNICORN_CONFIG),
            "--bind",
            f"{HOST}:{self.port}",
            *no_control_socket(),
            *extra,
            app_spec,
        ]
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**env, "GUNICORN_BIND": f"{HOST}:{self.port}"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _headers, _body = raw_request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f}s:\n{self.log_tail()}")

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        stop_gunicorn(self.process)
        self._log.close()


def raw_request(
    port: int, method: str, path: str, body: str | None = None, cookie: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request without following redirects or keeping cookies, as wrk sends it."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# -- wrk -------------------------------------------------------------------------------------------------------------

WRK_MISSING = """wrk is not installed, so this benchmark cannot run.
Install it with:
    sudo apt-get install -y wrk      (Debian/Ubuntu; run `sudo apt-get update` first if the package is not found)
    brew install wrk                 (macOS)
or build it from https://github.com/wg/wrk and put it on PATH (`make bench` installs it with apt-get)."""

LUA = r"""-- generated by bench/support.py: cycles through the requests in a file and counts unexpected answers
local source = "%(entries)s"  -- one request a line: method, path, form body, cookie (tab-separated)
local expected = {%(expected)s}
local nthreads = %(threads)d
local user_agent = "%(user_agent)s"
local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for line in io.lines(source) do
    local method, path, body, cookie = string.match(line, "^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    local headers = {["User-Agent"] = user_agent}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
  n = #requests
  index = math.floor(id * n / nthreads)  -- the threads start at different places in the cycle
  ok = 0
  bad = 0
  first_bad = ""
end

function request()
  index = index %% n + 1
  return requests[index]
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if expected[status] and not string.find(location, "/auth/login", 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.gsub(location, '["\\]', "") end
  end
end

function done(summary, latency, requests)
  local ok_all, bad_all, first = 0, 0, ""
  for _, t in ipairs(threads) do
    ok_all = ok_all + t:get("ok")
    bad_all = bad_all + t:get("bad")
    if first == "" then first = t:get("first_bad") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "mean_us": %%.1f, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "ok": %%d, "unexpected": %%d, "first_unexpected": "%%s", "non_2xx_3xx": %%d, ' ..
    '"connect_errors": %%d, "read_errors": %%d, "write_errors": %%d, "timeouts": %%d}\n',
    summary.requests, summary.duration, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, ok_all, bad_all, first, e.status, e.connect, e.read, e.write, e.timeout))
end
"""

Entry = tuple[str, str, str, str]  # method, path, form body or "", cookie or ""


def write_lua(path: Path, entries: list[Entry], expected: list[int], threads: int) -> Path:
    """A wrk script at `path` and its requests next to it, in `path`.tsv."""
    table = path.with_suffix(".tsv")
    for entry in entries:
        if any(not part.isascii() or any(ch in part for ch in '\t\n\r"\\') for part in entry):
            raise ValueError(f"unexpected character for the wrk script in {entry!r}")
    table.write_text("".join("\t".join(entry) + "\n" for entry in entries))
    path.write_text(
        LUA
        % {
            "entries": str(table),
            "expected": ", ".join(f"[{status}] = true" for status in expected),
            "threads": threads,
            "user_agent": USER_AGENT,
        }
    )
    return path


def run_wrk(base: str, script: Path, threads: int, connections: int, duration: float, output: Path) -> dict[str, Any]:
    """wrk with `script` against `base` for `duration` seconds: its BENCH_JSON result; the command goes to `output`."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",  # wrk takes whole seconds
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"{base}/",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    output.write_text(" ".join(command) + "\n\n" + completed.stdout + completed.stderr)
    # Requests still queued at the server when wrk stops are served anyway: let them finish before the next step.
    time.sleep(SETTLE_SECONDS)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise RuntimeError(f"wrk gave no result (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")


def wrk_summary(raw: dict[str, Any]) -> dict[str, Any]:
    """Requests, requests/s, p50 and p99 in ms and the error counts of one run_wrk result."""
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "unexpected": raw["unexpected"],
        "first_unexpected": raw["first_unexpected"],
        "socket_errors": raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
    }
