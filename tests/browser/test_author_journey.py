"""Journey 3: an author edits a lesson file on disk and sees the change, then the validation error, in the preview."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from flask import Flask

from ..conftest import World
from .accessibility import Audit
from .conftest import follow, log_in
from .journeys import MODULE

ADDED = "Deze zin is net toegevoegd door de auteur."


def _save(path: Path, text: str) -> None:
    """Save as an editor does; the modification time is moved on so that the change shows at once."""
    path.write_text(text, encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))


def test_author_sees_a_change_and_then_an_error_in_the_preview(
    app: Flask, live_server: str, page: Any, audit: Audit, world: World
) -> None:
    lesson_file = Path(app.config["CONTENT_DIR"]) / MODULE / "01-herkennen.nl.md"
    original = lesson_file.read_text(encoding="utf-8")
    log_in(page, live_server, "author@example.org")

    follow(page, "header a:text-is('Inhoud')")
    assert "Gepubliceerd" in page.locator("main .card").first.inner_text()
    audit.check(page)
    follow(page, "main .card a:text-is('Omstander')")
    page.wait_for_url(f"{live_server}/author/{MODULE}/")
    audit.check(page)
    follow(page, f"main a[href='/author/{MODULE}/quality']")
    audit.check(page)
    page.go_back()
    follow(page, f"main a[href^='/author/{MODULE}/01-herkennen']")
    page.wait_for_url(f"**/author/{MODULE}/01-herkennen**")
    assert ADDED not in page.locator("main").inner_text()
    assert page.locator("main").get_by_text("Juist: het effect op de ander telt.").is_visible()  # every feedback
    audit.check(page)

    # A sentence added in the file shows on reload.
    _save(lesson_file, original.replace("Ongewenst gedrag gaat over", f"{ADDED}\n\nOngewenst gedrag gaat over"))
    page.reload()
    assert ADDED in page.locator("main").inner_text()
    audit.check(page, "changed")

    # A mistyped block: the module is left out until fixed, and the overview names the file, line and problem.
    _save(lesson_file, lesson_file.read_text(encoding="utf-8").replace("/// check | effect", "/// chek | effect"))
    page.reload()
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    audit.check(page, "left out")
    follow(page, "header a:text-is('Inhoud')")
    card = page.locator("main .card", has=page.locator(f"code:text-is('{MODULE}')"))
    assert "Niet gepubliceerd: 2 fout(en)" in card.inner_text()  # the block, and the English lesson's check
    problems = card.locator(".problem-error").all_inner_texts()
    assert any(p.startswith(f"{MODULE}/01-herkennen.nl.md:") and "did you mean 'check'?" in p for p in problems)
    audit.check(page, "error")

    # Fixed again: the lesson is back.
    _save(lesson_file, original)
    page.reload()
    assert "Gepubliceerd" in page.locator("main .card", has=page.locator(f"code:text-is('{MODULE}')")).inner_text()
    page.go_back()
    page.reload()
    assert page.locator("main").get_by_text("Juist: het effect op de ander telt.").is_visible()
    audit.assert_clean()
