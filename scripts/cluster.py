"""Several gunicorn instances of the app on one PostgreSQL database, all on 127.0.0.1, for the scale and fault tests.

`python -m scripts.cluster` starts two instances on a fresh database of the PostgreSQL at ELEARNING_CLUSTER_POSTGRES_URL
(default: the one on 127.0.0.1:5432) and prints their addresses until Ctrl+C. The tests use the pieces:
`private_postgres()` (a PostgreSQL cluster of our own in a temporary folder, which the fault test may restart),
`fresh_database()`, `add_learners()` and `cluster()`. Everything started here is stopped in `finally`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess  # starts gunicorn and PostgreSQL's own tools, never through a shell  # nosec B404
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from sqlalchemy.engine import make_url

from bench.support import GUNICORN_CONFIG, HOST, free_port, gunicorn_path, libpq, no_control_socket, stop_gunicorn

REPO = Path(__file__).resolve().parent.parent
LEARNER_PASSWORD = "cluster-test-wachtwoord-2026"  # noqa: S105 - throwaway test accounts on loopback  # nosec B105
DEFAULT_POSTGRES_URL = os.environ.get(
    "ELEARNING_CLUSTER_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def server_tool(name: str) -> str:
    """A PostgreSQL server program (initdb, pg_ctl, pg_dump, ...): on the PATH, or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise RuntimeError(f"{name} not found: install PostgreSQL's server package (apt-get install postgresql)")


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: as root, run them as the postgres user."""
    if os.geteuid() != 0:
        return command
    return [_tool_path("runuser"), "-u", "postgres", "--", *command]


def _tool_path(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found")
    return found


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own on a free port: the fault test may restart it without disturbing anyone."""

    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        command = _as_postgres([server_tool("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args])
        subprocess.run(command, check=True, capture_output=True, timeout=90)  # noqa: S603 - pg_ctl  # nosec B603

    def restart(self) -> None:
        """A fast restart: open transactions are cut off, clients are disconnected, then it accepts again."""
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.folder / "server.log"))


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """initdb in a temporary folder, started on 127.0.0.1 (a free port, its socket in that folder); removed after."""
    folder = Path(tempfile.mkdtemp(prefix="elearning-pg-"))
    server = PrivatePostgres(folder, free_port())
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    started = False
    try:
        initdb = _as_postgres(
            [server_tool("initdb"), "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        )
        subprocess.run(initdb, check=True, capture_output=True, timeout=120)  # noqa: S603 - initdb  # nosec B603
        options = f"-c listen_addresses={HOST} -p {server.port} -c unix_socket_directories={folder}"
        server.pg_ctl("start", "-o", options, "-l", str(folder / "server.log"))
        started = True
        yield server
    finally:
        if started:
            with contextlib.suppress(subprocess.SubprocessError):
                server.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(admin_url: str = DEFAULT_POSTGRES_URL, prefix: str = "cluster") -> Iterator[str]:
    """A new database on the server of `admin_url`, migrated to head; dropped afterwards."""
    from elearning.migrate import upgrade

    name = f"elearning_{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_learners(url: str, count: int) -> list[tuple[int, str]]:
    """`count` employees in one unit, all with LEARNER_PASSWORD: their (id, e-mail address)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from elearning.models import Person
    from elearning.services.organisations import create_unit
    from elearning.services.passwords import hash_password

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            unit = create_unit(session, "CLUSTER", "Cluster test unit")
            password_hash = hash_password(LEARNER_PASSWORD)
            people = [
                Person(name=f"Learner {n}", email=f"learner{n}@example.org", password_hash=password_hash)
                for n in range(count)
            ]
            for person in people:
                person.organisation = unit
            session.add_all(people)
            session.commit()
            return [(person.id, person.email) for person in people]
    finally:
        engine.dispose()


@dataclass
class Instance:
    """One gunicorn master with deploy/gunicorn.conf.py on a free loopback port; its output in a log file."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def worker_pids(self) -> list[int]:
        """The master's worker processes (Linux: /proc/<pid>/task/<pid>/children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def kill_one_worker(self, busy_within: float = 3.0) -> tuple[int, bool]:
        """SIGKILL one worker, as the out-of-memory killer or a crash would; gunicorn's master starts a new one.

        A worker seen running (handling a request) within `busy_within` seconds is preferred, so that a request dies
        with it. Returns its pid and whether it was running.
        """
        deadline = time.monotonic() + busy_within
        while time.monotonic() < deadline:
            for pid in self.worker_pids():
                with contextlib.suppress(OSError):
                    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state == "R":
                        os.kill(pid, signal.SIGKILL)
                        return pid, True
            time.sleep(0.001)
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid, False

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        stop_gunicorn(self.process)


@dataclass
class Cluster:
    """The running instances and what they share."""

    database_url: str
    secret_key: str
    instances: list[Instance] = field(default_factory=list)


@contextlib.contextmanager
def cluster(
    database_url: str, instances: int = 2, workers: int = 2, settings: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """`instances` gunicorn masters of `workers` workers each on one (already migrated) database, sharing one secret
    key, as several app servers behind a load balancer do. The migrations are not run here: once, before, by whoever
    deploys (as in production)."""
    folder = Path(tempfile.mkdtemp(prefix="elearning-cluster-"))
    running = Cluster(database_url, secrets.token_hex(32))
    gunicorn = gunicorn_path()
    extra = no_control_socket()
    try:
        for number in range(instances):
            name = "ABCDEFGH"[number]
            port = free_port()
            instance_dir = folder / name
            instance_dir.mkdir()
            env = {
                **os.environ,
                "ELEARNING_DATABASE_URL": database_url,
                "ELEARNING_SECRET_KEY": running.secret_key,
                "ELEARNING_INSTANCE_DIR": str(instance_dir),
                "ELEARNING_WORKERS": str(workers),
                "ELEARNING_MAIL_BACKEND": "file",
                "ELEARNING_DB_CONNECT_TIMEOUT": "3",
                "ELEARNING_DB_POOL_TIMEOUT": "5",
                "GUNICORN_BIND": f"{HOST}:{port}",
            }
            env.update(settings or {})
            log_path = folder / f"{name}.log"
            with log_path.open("wb") as log:
                command = [gunicorn, "--config", str(GUNICORN_CONFIG), *extra, "wsgi:app"]
                process = subprocess.Popen(  # noqa: S603 - our gunicorn, fixed arguments  # nosec B603
                    command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            running.instances.append(Instance(name, port, process, log_path))
        for instance in running.instances:
            instance.wait_ready()
        yield running
    finally:
        for instance in running.instances:
            instance.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Two instances on a fresh database until Ctrl+C."""
    with fresh_database() as url, cluster(url) as running:
        for instance in running.instances:
            print(f"instance {instance.name}: {instance.base}  (log in as learner0@example.org, see add_learners)")
        add_learners(url, 5)
        print(f"learners learner0..4@example.org, password {LEARNER_PASSWORD}; Ctrl+C stops")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
