"""Who may reach what: every route of the app × every role, checked against ONE table (deny by default).

Each line of MATRIX is one request and the status every role must get, in the order of ROLES. A route (endpoint and
method) of `app.url_map` without a line fails `test_every_route_has_a_line`, so a new route cannot slip in
unchecked: add one line, e.g.

    row("GET /hr/export.csv",                                 LOGIN, 403, 403, 403, 200, 200, 200),

Every URL that names an object by id or token also gets a line with `foreign=True` that asks for someone else's
object (another learner's attempt, another unit's assignment or report, another HR person's upload, a grant of
another person): the services answer 404 or 403 as they decide. Each role runs the whole table in one logged-in
session on a fresh world; lines that end the session (logout) log in again afterwards. Every HTML page that a role
gets with 200 is also checked for what the Content-Security-Policy forbids (inline script, handlers, styles).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from elearning import create_app
from elearning.models import Assignment, Exemption, LtiPlatform, ModuleCompletion, Person, Role, RoleGrant
from elearning.services import assessment
from elearning.services.roster import ImportMode
from elearning.services.roster.staging import stage_import

from ..conftest import TEST_CONTENT, World, csrf_token, login
from .html_checks import csp_problems

ROLES = ("anonymous", "employee", "manager", "author", "hr_a", "hr_b", "admin")
LOGIN = "login"  # redirected to the login page
Expected = int | str


@dataclass(frozen=True)
class Row:
    """One request of the table and the status each role must get for it."""

    method: str
    url: str
    expected: Mapping[str, Expected]
    data: Mapping[str, str] = field(default_factory=dict)
    foreign: bool = False
    ends_session: bool = False

    def route(self, app: Flask) -> tuple[str, str]:
        """The (endpoint, method) this line requests, as the app's URL map resolves it."""
        path = self.url.format_map(_AnySample()).partition("?")[0]
        endpoint, _arguments = app.url_map.bind("localhost").match(path, method=self.method)
        return endpoint, self.method


class _AnySample(dict):  # type: ignore[type-arg]
    """Fills every {placeholder} with a value any converter accepts, to resolve a line without a database."""

    def __missing__(self, key: str) -> str:
        return "1"


def row(
    request: str,
    anonymous: Expected,
    employee: Expected,
    manager: Expected,
    author: Expected,
    hr_a: Expected,
    hr_b: Expected,
    admin: Expected,
    *,
    data: Mapping[str, str] | None = None,
    foreign: bool = False,
    ends_session: bool = False,
) -> Row:
    """One line of the table: "METHOD /url/{sample}" and the status per role, in the order of ROLES."""
    method, url = request.split(" ", 1)
    statuses = (anonymous, employee, manager, author, hr_a, hr_b, admin)
    return Row(method, url, dict(zip(ROLES, statuses, strict=True)), data or {}, foreign, ends_session)


# fmt: off
#   request                                                   anon   empl   mgr    auth   hr_a   hr_b   admin
MATRIX: tuple[Row, ...] = (
    # Public pages.
    row("GET /static/css/app.css",                            200,   200,   200,   200,   200,   200,   200),
    row("GET /",                                              302,   302,   302,   302,   302,   302,   302),
    row("GET /healthz",                                       200,   200,   200,   200,   200,   200,   200),
    row("GET /privacy",                                       200,   200,   200,   200,   200,   200,   200),
    row("GET /leave",                                         200,   200,   200,   200,   200,   200,   200),
    row("GET /accessibility",                                 200,   200,   200,   200,   200,   200,   200),
    row("POST /language",                                     302,   302,   302,   302,   302,   302,   302,
        data={"language": "nl"}),
    row("GET /verify/{code}",                                 200,   200,   200,   200,   200,   200,   200,
        foreign=True),  # someone else's certificate: public by design, shows name, module and date only
    row("GET /verify/NOT-A-CODE",                             404,   404,   404,   404,   404,   404,   404),
    # Accounts.
    row("GET /auth/login",                                    200,   302,   302,   302,   302,   302,   302),
    row("POST /auth/login",                                   401,   302,   302,   302,   302,   302,   302,
        data={"email": "nobody@example.org", "password": "not a password at all"}),
    row("GET /auth/reset",                                    200,   200,   200,   200,   200,   200,   200),
    row("POST /auth/reset",                                   302,   302,   302,   302,   302,   302,   302,
        data={"email": "nobody@example.org"}),
    row("GET /auth/reset/{unknown_token}",                    404,   404,   404,   404,   404,   404,   404,
        foreign=True),
    row("POST /auth/reset/{unknown_token}",                   404,   404,   404,   404,   404,   404,   404,
        data={"password": "a long enough password", "confirm": "a long enough password"}, foreign=True),
    row("GET /auth/invitation/{unknown_token}",               404,   404,   404,   404,   404,   404,   404,
        foreign=True),
    row("POST /auth/invitation/{unknown_token}",              404,   404,   404,   404,   404,   404,   404,
        data={"password": "a long enough password", "confirm": "a long enough password"}, foreign=True),
    # Single sign-on: not configured in this app, so not there (tests/sso/ runs it against a provider).
    row("GET /auth/sso",                                      404,   404,   404,   404,   404,   404,   404),
    row("GET /auth/sso/callback",                             404,   404,   404,   404,   404,   404,   404),
    row("GET /auth/password",                                 LOGIN, 200,   200,   200,   200,   200,   200),
    row("POST /auth/password",                                LOGIN, 400,   400,   400,   400,   400,   400,
        data={"current": "", "password": "x", "confirm": "y"}),
    row("GET /auth/sessions",                                 LOGIN, 200,   200,   200,   200,   200,   200),
    row("POST /auth/sessions",                                LOGIN, 400,   400,   400,   400,   400,   400,
        data={"current": ""}),
    # LTI 1.3: called by an LMS, not behind our login; the launch's own checks refuse these (tests/lti/).
    row("GET /lti/jwks",                                      200,   200,   200,   200,   200,   200,   200),
    row("GET /lti/login",                                     400,   400,   400,   400,   400,   400,   400),
    row("POST /lti/login",                                    400,   400,   400,   400,   400,   400,   400,
        data={"iss": "https://unknown.example.org", "login_hint": "x", "target_link_uri": "x"}),
    row("POST /lti/launch",                                   400,   400,   400,   400,   400,   400,   400,
        data={"id_token": "not.a.token", "state": "no-state"}),
    # Learning (every logged-in person; the managers' module only for managers).
    row("GET /learn/",                                        LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /learn/basis/",                                  LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /learn/leiding/",                                LOGIN, 404,   200,   404,   404,   404,   404),
    row("GET /learn/basis/01-welkom",                         LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /learn/leiding/01-voorbeeld",                    LOGIN, 404,   200,   404,   404,   404,   404),
    row("POST /learn/basis/01-welkom/done",                   LOGIN, 302,   302,   302,   302,   302,   302),
    row("POST /learn/leiding/01-voorbeeld/done",              LOGIN, 404,   302,   404,   404,   404,   404),
    row("POST /learn/basis/01-welkom/check/welkom-effect",    LOGIN, 400,   400,   400,   400,   400,   400),
    row("GET /learn/basis/02-oefenen/scenario/koffie",        LOGIN, 200,   200,   200,   200,   200,   200),
    row("POST /learn/basis/02-oefenen/scenario/koffie",       LOGIN, 303,   303,   303,   303,   303,   303,
        data={"scene": "begin", "choice": "zwijgen", "form_token": "matrix-form-token-0001"}),
    row("GET /learn/basis/media/none.png",                    LOGIN, 404,   404,   404,   404,   404,   404),
    # Effect measurement: one's own questions only (no id in the address: the set is the learner's own).
    row("GET /learn/toets/effect/pre",                        LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /learn/toets/effect/post",                       LOGIN, 302,   302,   302,   302,   302,   302),
    row("GET /learn/toets/effect/later",                      LOGIN, 404,   404,   404,   404,   404,   404),
    row("GET /learn/leiding/effect/pre",                      LOGIN, 404,   404,   404,   404,   404,   404),
    row("POST /learn/toets/effect/pre",                       LOGIN, 400,   400,   400,   400,   400,   400,
        data={"s-weet-melden": "6"}),
    row("POST /learn/toets/effect/pre",                       LOGIN, 303,   303,   303,   303,   303,   303,
        data={"skip": "1"}),
    row("GET /learn/toets/assessment/",                       LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /learn/toets/assessment/{own_attempt}",          LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /learn/toets/assessment/{other_attempt}",        LOGIN, 404,   404,   404,   404,   404,   404,
        foreign=True),
    row("POST /learn/toets/assessment/{other_attempt}",       LOGIN, 404,   404,   404,   404,   404,   404,
        foreign=True),
    row("POST /learn/toets/assessment/{own_attempt}",         LOGIN, 400,   400,   400,   400,   400,   400),
    row("POST /learn/toets/assessment/",                      LOGIN, 303,   303,   303,   303,   303,   303),
    # My data: always one's own.
    row("GET /me/",                                           LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /me/data.json",                                  LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /me/data.csv",                                   LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /me/certificates/basis.pdf",                     LOGIN, 200,   200,   200,   200,   200,   200),
    row("GET /me/certificates/toets.pdf",                     LOGIN, 404,   404,   404,   404,   404,   404),
    # Managers: their own team.
    row("GET /team/",                                         LOGIN, 403,   200,   403,   403,   403,   403),
    # Authors: the content preview.
    row("GET /author/",                                       LOGIN, 403,   403,   200,   403,   403,   200),
    row("GET /author/leiding/",                               LOGIN, 403,   403,   200,   403,   403,   200),
    row("GET /author/basis/01-welkom",                        LOGIN, 403,   403,   200,   403,   403,   200),
    row("GET /author/toets/quality",                          LOGIN, 403,   403,   200,   403,   403,   200),
    row("GET /author/nope/quality",                           LOGIN, 403,   403,   404,   403,   403,   404),
    # HR: reports within their own subtree.
    row("GET /hr/",                                           LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/?unit={dg_b}",                               LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/completion.csv",                             LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/completion.csv?unit={dg_b}",                 LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/completion.xlsx",                            LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/completion.xlsx?unit={dg_b}",                LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/trend",                                      LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/trend?unit={dg_b}",                          LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/people",                                     LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/people?unit={dg_b}",                         LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/people.csv",                                 LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/people.csv?unit={dg_b}",                     LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/people.xlsx",                                LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/people.xlsx?unit={dg_b}",                    LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/quality",                                    LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/quality?unit={dg_b}",                        LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/completion.pdf",                             LOGIN, 404,   404,   404,   404,   404,   404),
    row("GET /hr/effect",                                     LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/effect?unit={dg_b}",                         LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/effect?module=basis",                        LOGIN, 403,   403,   403,   404,   404,   404),
    # HR: the contacts learners see, per unit of their own subtree.
    row("GET /hr/contacts",                                   LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/contacts?unit={dg_b}",                       LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("POST /hr/contacts",                                  LOGIN, 403,   403,   403,   400,   400,   400,
        data={"mior_contact": "x" * 501}),
    row("POST /hr/contacts",                                  LOGIN, 403,   403,   403,   403,   303,   303,
        data={"unit": "{dg_b}", "hr_contact": "HR of DG-B: 070 000 0000"}, foreign=True),
    row("GET /hr/departmental",                               LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/departmental?unit={dg_b}",                   LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/departmental.pdf",                           LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/departmental.pdf?unit={dg_b}",               LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/departmental.xlsx",                          LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /hr/departmental.xlsx?unit={dg_b}",              LOGIN, 403,   403,   403,   403,   200,   200,
        foreign=True),
    row("GET /hr/departmental.csv",                           LOGIN, 404,   404,   404,   404,   404,   404),
    # HR: people and roster import; an upload is its uploader's only.
    row("GET /people/",                                       LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /people/import",                                 LOGIN, 403,   403,   403,   200,   200,   200),
    row("POST /people/import",                                LOGIN, 403,   403,   403,   400,   400,   400),
    row("GET /people/import/{import_a}",                      LOGIN, 403,   403,   403,   200,   404,   404,
        foreign=True),
    row("POST /people/import/discard",                        LOGIN, 403,   403,   403,   302,   404,   404,
        data={"token": "{discard_a}"}, foreign=True),
    row("POST /people/import/apply",                          LOGIN, 403,   403,   403,   302,   404,   404,
        data={"token": "{import_a}"}, foreign=True),
    # HR: exemptions of a person in their own subtree.
    row("GET /people/{employee_a}/exemptions",                LOGIN, 403,   403,   403,   200,   404,   200),
    row("GET /people/{person}/exemptions",                    LOGIN, 403,   403,   403,   404,   200,   200,
        foreign=True),
    row("POST /people/{person}/exemptions",                   LOGIN, 403,   403,   403,   404,   400,   400,
        foreign=True),
    row("POST /people/{person}/exemptions/revoke",            LOGIN, 403,   403,   403,   404,   302,   302,
        data={"exemption": "{exemption_b}"}, foreign=True),
    # HR: assignments within their own subtree.
    row("GET /assignments/",                                  LOGIN, 403,   403,   403,   200,   200,   200),
    row("GET /assignments/new",                               LOGIN, 403,   403,   403,   200,   200,   200),
    row("POST /assignments/new",                              LOGIN, 403,   403,   403,   400,   400,   400),
    row("GET /assignments/{assignment_a}/edit",               LOGIN, 403,   403,   403,   200,   404,   200),
    row("GET /assignments/{assignment_b}/edit",               LOGIN, 403,   403,   403,   404,   200,   200,
        foreign=True),
    row("POST /assignments/{assignment_b}/edit",              LOGIN, 403,   403,   403,   404,   400,   400,
        foreign=True),
    row("GET /assignments/{assignment_a}/end",                LOGIN, 403,   403,   403,   200,   404,   200,
        foreign=True),
    row("POST /assignments/{assignment_a}/end",               LOGIN, 403,   403,   403,   400,   404,   400,
        foreign=True),
    # Administrators only.
    row("GET /admin/",                                        LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/people",                                  LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/people/{person}",                         LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/people/999999",                           LOGIN, 403,   403,   403,   403,   403,   404,
        foreign=True),
    row("POST /admin/people/{person}/roles",                  LOGIN, 403,   403,   403,   403,   403,   400,
        data={"role": "", "organisation": ""}),
    row("POST /admin/people/999999/roles",                    LOGIN, 403,   403,   403,   403,   403,   404,
        data={"role": "author", "organisation": ""}, foreign=True),
    row("POST /admin/people/{person}/roles/{grant_of_hr_b}/revoke",LOGIN, 403,   403,   403,   403,   403,   302,
        foreign=True),  # a grant of another person: nothing is revoked
    row("POST /admin/people/{person}/invitation",             LOGIN, 403,   403,   403,   403,   403,   302,
        data={"form_token": "matrix-invitation-token-1"}),
    row("POST /admin/people/999999/invitation",               LOGIN, 403,   403,   403,   403,   403,   404,
        data={"form_token": "matrix-invitation-token-2"}, foreign=True),
    row("GET /admin/people/{person}/erase",                   LOGIN, 403,   403,   403,   403,   403,   200),
    row("POST /admin/people/{person}/erase",                  LOGIN, 403,   403,   403,   403,   403,   400),
    row("GET /admin/people/999999/erase",                     LOGIN, 403,   403,   403,   403,   403,   404,
        foreign=True),
    row("POST /admin/people/999999/erase",                    LOGIN, 403,   403,   403,   403,   403,   404,
        data={"confirm": "y"}, foreign=True),
    row("GET /admin/organisations",                           LOGIN, 403,   403,   403,   403,   403,   200),
    row("POST /admin/organisations",                          LOGIN, 403,   403,   403,   403,   403,   400,
        data={"code": "", "name": "", "parent": ""}),
    row("GET /admin/organisations/{unit}",                    LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/organisations/999999",                    LOGIN, 403,   403,   403,   403,   403,   404,
        foreign=True),
    row("POST /admin/organisations/{unit}/name",              LOGIN, 403,   403,   403,   403,   403,   400,
        data={"rename-name": ""}),
    row("POST /admin/organisations/999999/name",              LOGIN, 403,   403,   403,   403,   403,   404,
        data={"rename-name": "Nieuw"}, foreign=True),
    row("POST /admin/organisations/{unit}/parent",            LOGIN, 403,   403,   403,   403,   403,   400,
        data={"move-parent": "999999"}),
    row("POST /admin/organisations/999999/parent",            LOGIN, 403,   403,   403,   403,   403,   404,
        data={"move-parent": ""}, foreign=True),
    row("POST /admin/organisations/{unit}/close",             LOGIN, 403,   403,   403,   403,   403,   302),
    row("POST /admin/organisations/999999/close",             LOGIN, 403,   403,   403,   403,   403,   404,
        foreign=True),
    row("POST /admin/organisations/{unit}/reopen",            LOGIN, 403,   403,   403,   403,   403,   302),
    row("POST /admin/organisations/999999/reopen",            LOGIN, 403,   403,   403,   403,   403,   404,
        foreign=True),
    row("GET /admin/lti",                                     LOGIN, 403,   403,   403,   403,   403,   200),
    row("POST /admin/lti",                                    LOGIN, 403,   403,   403,   403,   403,   400,
        data={"name": "", "issuer": "http://lms.example.org"}),
    row("POST /admin/lti/{lti_platform}/active",              LOGIN, 403,   403,   403,   403,   403,   302,
        data={"active": "on"}),
    row("POST /admin/lti/999999/active",                      LOGIN, 403,   403,   403,   403,   403,   404,
        data={"active": "on"}, foreign=True),
    row("GET /admin/audit",                                   LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/audit.csv",                               LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/xapi",                                    LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/xapi/statements.json",                    LOGIN, 403,   403,   403,   403,   403,   200),
    row("GET /admin/xapi/statements.json?from=2026-02-01&to=2026-01-01",
                                                              LOGIN, 403,   403,   403,   403,   403,   400),
    row("POST /admin/people/{hr_b}/roles/{grant_of_hr_b}/revoke",LOGIN, 403,   403,   403,   403,   403,   302),
    # Last: ends the session (the test logs in again after it).
    row("POST /auth/logout",                                  LOGIN, 302,   302,   302,   302,   302,   302,
        ends_session=True),
)
# fmt: on

ROSTER = b"personeelsnummer;naam;e-mail;organisatiecode\nM-1;Matrix Persoon;matrix@example.org;DG-A-1\n"
ID_CONVERTERS = (IntegerConverter,)
ID_ARGUMENTS = frozenset({"token", "code"})  # opaque ids in the path or the form


def _routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods or ())
        if method not in {"HEAD", "OPTIONS"}
    }


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app's routes, without a database."""
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "CHECK_DATABASE_ON_START": False,
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("matrix")),
            "CONTENT_DIR": str(TEST_CONTENT),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
        }
    )


def test_every_route_has_a_line(bare_app: Flask) -> None:
    """Deny by default: a route that the table does not name fails here; so does a line for a route that is gone."""
    routes = _routes(bare_app)
    lines = {r.route(bare_app) for r in MATRIX}
    missing = sorted(routes - lines)
    assert not missing, "routes without a line in MATRIX (tests/web/test_authorisation_matrix.py): " + ", ".join(
        f"{endpoint} {method}" for endpoint, method in missing
    )
    assert not sorted(lines - routes), f"lines in MATRIX for routes that do not exist: {sorted(lines - routes)}"


def test_a_new_route_without_a_line_is_caught(bare_app: Flask) -> None:
    """What the other blueprints' next routes will meet: no line, no pass."""
    app = create_app(dict(bare_app.config))
    app.add_url_rule("/hr/new-report.csv", "hr.new_report", lambda: "a report")
    lines = {r.route(app) for r in MATRIX}
    assert _routes(app) - lines == {("hr.new_report", "GET")}


def test_each_line_requests_a_route(bare_app: Flask) -> None:
    """No line for an address or method the app does not serve (it would resolve to no endpoint at all)."""
    for line in MATRIX:
        line.route(bare_app)  # raises NotFound or MethodNotAllowed


def test_every_url_with_an_id_is_also_tried_with_someone_elses(bare_app: Flask) -> None:
    with_ids = set()
    for rule in bare_app.url_map.iter_rules():
        converters = rule._converters
        if any(isinstance(c, ID_CONVERTERS) for c in converters.values()) or ID_ARGUMENTS & set(rule.arguments):
            with_ids |= {(rule.endpoint, m) for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}}
    with_ids |= {("people.apply", "POST"), ("people.discard", "POST")}  # the upload's token is in the form
    tried = {r.route(bare_app) for r in MATRIX if r.foreign}
    untried = sorted(with_ids - tried)
    assert not untried, f"URLs with an id but no foreign=True line: {untried}"


def _samples(app: Flask, db: Session, world: World, role: str) -> dict[str, str]:
    """The objects the table's URLs name, made for this run: some the role's own, some somebody else's."""
    catalog = app.extensions["catalog"].get()
    people: dict[str, Person] = {
        "employee": world.employee,
        "manager": world.manager,
        "author": world.author,
        "hr_a": world.hr_a,
        "hr_b": world.hr_b,
        "admin": world.admin,
    }
    me = people.get(role, world.colleague_b)
    assignment_a = Assignment(module_slug="basis", organisation_id=world.dg_a.id, due_days_after_start=30)
    assignment_b = Assignment(module_slug="basis", organisation_id=world.dg_b.id, due_days_after_start=30)
    db.add_all([assignment_a, assignment_b])
    other_attempt = assessment.start(db, catalog, world.colleague_b, "toets")
    own_attempt = assessment.start(db, catalog, me, "toets") if role != "anonymous" else other_attempt
    version = catalog.module("basis").version
    for person in {*people.values(), world.colleague_b}:
        code = f"MATRIX{person.id:06d}"
        db.add(
            ModuleCompletion(person_id=person.id, module_slug="basis", content_version=version, verification_code=code)
        )
    exemption_b = Exemption(
        person_id=world.colleague_b.id,
        module_slug="basis",
        reason="parental_leave",
        ends_on=date.today() + timedelta(30),
    )
    db.add(exemption_b)
    db.commit()
    folder = Path(app.config["INSTANCE_DIR"]) / "imports"
    staged = [
        stage_import(db, folder, world.hr_a, ROSTER, "roster.csv", mode=ImportMode.PARTIAL, today=date.today())
        for _ in range(2)
    ]
    db.commit()
    grant = next(g for g in world.hr_b.roles if g.role == Role.HR)
    lti_platform = LtiPlatform(
        name="LMS",
        issuer="https://lms.example.org",
        client_id="matrix",
        deployment_ids=["1"],
        auth_login_url="https://lms.example.org/auth",
        auth_token_url="https://lms.example.org/token",
        key_set_url="https://lms.example.org/jwks",
    )
    db.add(lti_platform)
    db.commit()
    return {
        "lti_platform": str(lti_platform.id),
        "person": str(world.colleague_b.id),
        "employee_a": str(world.employee.id),
        "exemption_b": str(exemption_b.id),
        "hr_b": str(world.hr_b.id),
        "grant_of_hr_b": str(grant.id),
        "unit": str(world.team_a1.id),
        "dg_b": str(world.dg_b.id),
        "assignment_a": str(assignment_a.id),
        "assignment_b": str(assignment_b.id),
        "own_attempt": str(own_attempt.id),
        "other_attempt": str(other_attempt.id),
        "import_a": staged[0].token,
        "discard_a": staged[1].token,
        "code": f"MATRIX{world.colleague_b.id:06d}",
        "unknown_token": "not-a-token-anybody-was-sent",
    }


def _matches(expected: Expected, response: Any) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and "/auth/login" in response.headers.get("Location", "")
    return response.status_code == expected


EMAILS = {
    "employee": "employee@example.org",
    "manager": "manager@example.org",
    "author": "author@example.org",
    "hr_a": "hr-a@example.org",
    "hr_b": "hr-b@example.org",
    "admin": "admin@example.org",
}


def _start(client: FlaskClient, role: str) -> str:
    """Log in as `role` (or stay anonymous) and return the session's CSRF token."""
    if role != "anonymous":
        login(client, EMAILS[role])
    return csrf_token(client, "/auth/reset")


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(app: Flask, db: Session, world: World, role: str) -> None:
    samples = _samples(app, db, world, role)
    client = app.test_client()
    token = _start(client, role)
    wrong: list[str] = []
    csp: list[str] = []
    for line in MATRIX:
        url = line.url.format(**samples)
        expected = line.expected[role]
        if line.method == "GET":
            response = client.get(url)
        else:
            data = {name: value.format(**samples) for name, value in line.data.items()}
            if line.url == "/people/import":
                data["file"] = (io.BytesIO(b""), "")  # type: ignore[assignment]
            response = client.post(url, data={**data, "csrf_token": token})
        if not _matches(expected, response):
            where = response.headers.get("Location", "")
            wrong.append(f"{line.method} {line.url} as {role}: expected {expected}, got {response.status_code} {where}")
        if response.status_code == 200 and response.mimetype == "text/html":
            csp += [f"{line.method} {line.url} as {role}: {p}" for p in csp_problems(response.get_data(as_text=True))]
        response.close()  # as a server does: a streamed download ends its request here
        if line.ends_session:
            client = app.test_client()
            token = _start(client, role)
    assert not wrong, "\n".join(wrong)
    assert not csp, "\n".join(csp)


def test_a_revoked_grant_of_another_person_stays(app: Flask, db: Session, world: World) -> None:
    """The object-level check behind the foreign revoke line: the grant of hr_b is untouched."""
    client = app.test_client()
    token = _start(client, "admin")
    grant = next(g for g in world.hr_b.roles if g.role == Role.HR)
    client.post(f"/admin/people/{world.colleague_b.id}/roles/{grant.id}/revoke", data={"csrf_token": token})
    db.expire_all()
    assert db.get(RoleGrant, grant.id) is not None
