"""Screenshots of the main pages for the README and docs/screenshots/, taken in Debian's headless Chromium.

Usage: python scripts/screenshots.py [BASE_URL]

Without BASE_URL it starts the app itself (scripts/demo_server.py: the demo data in a temporary database, on a
free loopback port) and stops it afterwards. With BASE_URL it uses a running app with `make run`'s demo data.
The certificate is rendered with pdftoppm (Debian's poppler-utils) when that is installed.
"""

from __future__ import annotations

import shutil
import subprocess  # runs pdftoppm on the certificate  # nosec B404
import sys
import tempfile
from pathlib import Path

from demo_server import DEMO_PASSWORD, demo_server
from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form [type=submit]")


def logout(page: Page) -> None:
    with page.expect_navigation():
        page.click("header form[action$='/auth/logout'] button")


def shoot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=OUT / f"{name}.png", full_page=full_page)
    print(f"  {name}.png")


def click(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def skip_effect_questions(page: Page) -> None:
    """A module's first lesson offers its anonymous "before you start" questions first: skip them, as a learner may."""
    if page.locator("form.effect-form button[name=skip]").count():
        click(page, "form.effect-form button[name=skip]")


def learner(page: Page, base: str) -> None:
    """The employee: dashboard, a lesson and its knowledge check, a scenario, an assessment, a certificate."""
    login(page, base, "medewerker@example.org")
    shoot(page, "dashboard")
    page.goto(f"{base}/learn/a-herkennen/01-wat-is-ongewenst-gedrag")
    skip_effect_questions(page)
    shoot(page, "lesson-top", full_page=False)
    page.click("form[action*='/check/'] input[type=radio] >> nth=0")
    click(page, "form[action*='/check/'] button[type=submit] >> nth=0")
    shoot(page, "lesson", full_page=False)
    page.goto(f"{base}/learn/b-omstander/04-oefenen-werkoverleg/scenario/werkoverleg-accent")
    click(page, ".choices button >> nth=1")
    shoot(page, "scenario", full_page=False)
    page.goto(f"{base}/learn/a-herkennen/assessment/")
    click(page, "main form button[type=submit]")
    for group in page.locator("fieldset").all():
        group.locator("input").first.check()
    click(page, "main form button[type=submit] >> nth=0")
    shoot(page, "assessment-result", full_page=False)
    certificate(page, base)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/learn/")
    shoot(page, "dashboard-phone")
    page.set_viewport_size({"width": 1100, "height": 900})
    logout(page)


def certificate(page: Page, base: str) -> None:
    """Finish the module without an assessment, download its certificate and render it, if pdftoppm is there."""
    page.goto(f"{base}/learn/b-omstander/")
    lessons = page.locator("ol.lesson-list a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for href in lessons:
        page.goto(f"{base}{href}")
        skip_effect_questions(page)
        click(page, ".lesson-footer button[type=submit]")
    page.goto(f"{base}/learn/b-omstander/")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("  certificate.png skipped: install poppler-utils (pdftoppm) to render the certificate")
        return
    with page.expect_download() as download, tempfile.TemporaryDirectory() as folder:
        page.click("main a[href$='.pdf']")
        pdf = Path(folder) / "certificate.pdf"
        download.value.save_as(pdf)
        subprocess.run(  # noqa: S603 - a fixed program on our own file  # nosec B603
            [pdftoppm, "-png", "-r", "60", "-singlefile", str(pdf), str(OUT / "certificate")], check=True
        )
    print("  certificate.png")


def others(page: Page, base: str) -> None:
    """HR's completion report, the author's preview and a manager's team."""
    login(page, base, "hr@example.org")
    page.goto(f"{base}/hr/")
    shoot(page, "hr-report", full_page=False)
    logout(page)
    login(page, base, "auteur@example.org")
    page.goto(f"{base}/author/b-omstander/04-oefenen-werkoverleg")
    shoot(page, "author-preview", full_page=False)
    logout(page)
    login(page, base, "leidinggevende@example.org")
    page.goto(f"{base}/team/")
    shoot(page, "team", full_page=False)
    logout(page)
    login(page, base, "hr@example.org")
    page.goto(f"{base}/hr/departmental")
    click(page, "text=Dit jaar tot vandaag")  # the demo crowd's history lies in the last half year
    shoot(page, "hr-departmental")


def take(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="nl-NL")
        page.goto(f"{base}/auth/login")
        shoot(page, "login")
        learner(page, base)
        others(page, base)
        browser.close()
    print(f"screenshots written to {OUT}")


def main() -> None:
    if len(sys.argv) > 1:
        take(sys.argv[1].rstrip("/"))
        return
    print("starting the demo app on a free port (temporary database with the demo data)")
    with demo_server() as base:
        take(base)


if __name__ == "__main__":
    main()
