"""Content safety on the pages: placeholders filled per request are escaped, and a module full of payloads that
passes validation reaches learners and authors without anything executable; the CSP is the second line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup

from elearning import create_app
from elearning.web import templating
from elearning.web.security_headers import CONTENT_SECURITY_POLICY

from ..conftest import World, login
from ..content.test_content_render import DANGEROUS, PAYLOADS, XSS_ASSESSMENT, XSS_LESSON, XSS_MODULE
from .html_checks import csp_problems

EVIL = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.fixture
def evil_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    values = dict(templating.PLACEHOLDER_DEFAULTS)
    values["hr_contact"] = EVIL
    values["intranet_meldpagina"] = "javascript:alert(3)"
    values["mior_contact"] = "https://www.mior.nl/?a=1&b=2"
    monkeypatch.setattr(templating, "PLACEHOLDER_DEFAULTS", values)


def test_placeholder_values_are_escaped_in_text(evil_placeholders: None) -> None:
    html = templating.fill_placeholders("<p>Bel {hr_contact} of {onbekend}.</p>")
    assert isinstance(html, Markup)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&#34;&gt;" in html
    assert "{onbekend}" in html  # unknown placeholders stay as written


def test_a_placeholder_used_as_an_address_is_only_ever_a_safe_url(evil_placeholders: None) -> None:
    assert templating.fill_placeholders('<a href="{intranet_meldpagina}">x</a>') == '<a href="#">x</a>'
    assert templating.fill_placeholders('<a href="{hr_contact}">x</a>') == '<a href="#">x</a>'
    assert templating.fill_placeholders('<a href="{mior_contact}">x</a>') == (
        '<a href="https://www.mior.nl/?a=1&amp;b=2">x</a>'
    )
    assert templating.fill_placeholders('<img alt="a" src="{intranet_meldpagina}">') == '<img alt="a" src="#">'


def test_the_default_values_fill_every_known_placeholder() -> None:
    for name in templating.PLACEHOLDER_DEFAULTS:
        filled = templating.fill_placeholders(f"<p>{{{name}}}</p>")
        assert "{" not in filled and not csp_problems(filled)


def _payload_modules(root: Path) -> list[str]:
    """One module per payload that validation lets through (it strips them silently), plus one for plain fields."""
    slugs = []
    for number, payload in enumerate(PAYLOADS):
        slug = f"xss-{number}"
        folder = root / slug
        folder.mkdir(parents=True)
        inline = payload.replace("\n", " ")
        (folder / "module.md").write_text(XSS_MODULE.format(p=inline), encoding="utf-8")
        (folder / "01-les.nl.md").write_text(XSS_LESSON.format(p=inline), encoding="utf-8")
        (folder / "assessment.nl.md").write_text(XSS_ASSESSMENT.format(p=inline), encoding="utf-8")
        slugs.append(slug)
    titled = root / "xss-titles"
    titled.mkdir()
    (titled / "module.md").write_text(
        XSS_MODULE.format(p="veilig").replace("title: XSS", """title: 'Titel "> < & <style>x</style>'"""),
        encoding="utf-8",
    )
    (titled / "01-les.nl.md").write_text(
        XSS_LESSON.format(p="veilig").replace("# Les", '# Les "> <style>p{}</style> &'), encoding="utf-8"
    )
    (titled / "assessment.nl.md").write_text(XSS_ASSESSMENT.format(p="veilig"), encoding="utf-8")
    return [*slugs, "xss-titles"]


@pytest.fixture
def payload_app(database_url: str, tmp_path: Path) -> Flask:
    content = tmp_path / "content"
    _payload_modules(content)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(content),
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
        }
    )
    yield app
    app.extensions["db_engine"].dispose()
    shutil.rmtree(content, ignore_errors=True)


def _scripts(html: str) -> list[str]:
    lowered = html.lower()
    found = [word for word in DANGEROUS if word in lowered and word not in {"<script", "<form", "<input"}]
    found += csp_problems(html)
    return found


def test_payload_modules_render_nothing_executable(payload_app: Flask, app: Flask, world: World) -> None:
    """`app` provides the clean database and people; `payload_app` serves the payload modules on it."""
    catalog = payload_app.extensions["catalog"].get()
    served = sorted(catalog.modules)
    assert "xss-titles" in served and len(served) >= 4, served  # those validation lets through are served
    learner: FlaskClient = payload_app.test_client()
    author: FlaskClient = payload_app.test_client()
    login(learner, "employee@example.org")
    login(author, "author@example.org")
    problems: list[str] = []
    for slug in served:
        pages = {
            "module": learner.get(f"/learn/{slug}/"),
            "lesson": learner.get(f"/learn/{slug}/01-les"),
            "scenario": learner.get(f"/learn/{slug}/01-les/scenario/scenario?scene=einde&from=begin&choice=a"),
            "assessment": learner.get(f"/learn/{slug}/assessment/"),
            "preview": author.get(f"/author/{slug}/01-les"),
            "preview module": author.get(f"/author/{slug}/"),
        }
        for name, response in pages.items():
            assert response.status_code == 200, (slug, name, response.status_code)
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
            problems += [f"{slug} {name}: {p}" for p in _scripts(response.get_data(as_text=True))]
    titles = learner.get("/learn/xss-titles/").get_data(as_text=True)
    assert "Titel &#34;&gt; &lt; &amp; &lt;style&gt;" in titles  # plain-text fields are escaped by Jinja
    assert not problems, "\n".join(problems)
