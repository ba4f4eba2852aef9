"""Screenshots of the main pages for the README and docs/screenshots/, taken in Debian's headless Chromium.

Usage: python scripts/screenshots.py [BASE_URL]   (default http://127.0.0.1:5000, with `make run`'s demo data)
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - the printed demo password


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form [type=submit]")


def shoot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=OUT / f"{name}.png", full_page=full_page)


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="nl-NL",
                                extra_http_headers={"Accept-Language": "nl-NL,nl;q=0.9"})
        page.goto(f"{base}/auth/login")
        shoot(page, "login")
        login(page, base, "medewerker@example.org")
        shoot(page, "dashboard")
        page.goto(f"{base}/learn/a-herkennen/01-wat-is-ongewenst-gedrag")
        shoot(page, "lesson-top", full_page=False)
        page.click("form[action*='/check/'] input[type=radio] >> nth=0")
        page.click("form[action*='/check/'] button[type=submit] >> nth=0")
        shoot(page, "lesson", full_page=False)
        page.goto(f"{base}/learn/b-omstander/04-oefenen-werkoverleg/scenario/werkoverleg-accent")
        page.click(".choices button >> nth=1")
        shoot(page, "scenario", full_page=False)
        page.goto(f"{base}/learn/a-herkennen/assessment/")
        page.click("main form button[type=submit]")
        for group in page.locator("fieldset").all():
            group.locator("input").first.check()
        page.click("main form button[type=submit] >> nth=0")
        shoot(page, "assessment-result", full_page=False)
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(f"{base}/learn/")
        shoot(page, "dashboard-phone")
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
