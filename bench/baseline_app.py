"""The floor for bench/web_bench.py: a bare Flask app doing only the unavoidable work of the two measured pages.

    ELEARNING_DATABASE_URL=... .venv/bin/gunicorn -c deploy/gunicorn.conf.py --pythonpath bench baseline_app:app

No login, no CSRF, no Babel, no catalogue. It uses the SAME database URL and the same engine settings as the app
(elearning.db.make_engine: WAL, busy timeout and synchronous=NORMAL on SQLite; the same pool on PostgreSQL), and a
plain SQLAlchemy session per request:

    GET  /page/<person_id>   reads one `Person` row through the ORM (roles not loaded: exactly one SELECT)
                             and renders a tiny Jinja template with it
    POST /upsert             form fields person_id, module_slug, lesson_slug: INSERT ... ON CONFLICT DO NOTHING
                             into lesson_progress (sqlalchemy's sqlite/postgresql insert), commit, 302 like the app
    GET  /healthz            SELECT 1, for the start-up wait
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, abort, redirect, render_template, request
from jinja2 import DictLoader
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload, sessionmaker
from werkzeug.wrappers.response import Response

from elearning.db import make_engine
from elearning.models import LessonProgress, Person, utcnow

PAGE = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>{{ person.name }}</title></head>
<body>
<main>
  <h1>{{ person.name }}</h1>
  <p>{{ person.email }}{% if person.is_manager %} (leidinggevende){% endif %}</p>
</main>
</body>
</html>
"""

# The content version the app writes is the module's 64-character hash; the same width here.
CONTENT_VERSION = "b" * 64


def create_baseline_app(url: str | None = None) -> Flask:
    url = url or os.environ["ELEARNING_DATABASE_URL"]
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})
    engine = make_engine(url, os.environ.get("ELEARNING_SQLITE_JOURNAL_MODE", "WAL").upper())
    new_session = sessionmaker(bind=engine, expire_on_commit=False)
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @app.get("/page/<int:person_id>")
    def page(person_id: int) -> str:
        with new_session() as session:
            person = session.get(Person, person_id, options=[lazyload(Person.roles)])
            if person is None:
                abort(404)
            return render_template("page.html", person=person)

    @app.post("/upsert")
    def upsert() -> Response:
        form = request.form
        values: dict[str, Any] = {
            "person_id": int(form["person_id"]),
            "module_slug": form["module_slug"],
            "lesson_slug": form["lesson_slug"],
            "content_version": CONTENT_VERSION,
            "completed_at": utcnow(),
        }
        statement = (
            insert(LessonProgress)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["person_id", "module_slug", "lesson_slug"])
        )
        with new_session() as session:
            session.execute(statement)
            session.commit()
        return redirect(f"/page/{values['person_id']}")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with new_session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app


app = create_baseline_app() if "ELEARNING_DATABASE_URL" in os.environ else None
