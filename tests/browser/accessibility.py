"""WCAG 2.1 AA checks of the pages the journeys visit: axe-core in both languages, desktop and phone, and reflow.

Every page a journey shows is checked where it stands (so that a page made by a POST, such as a knowledge check's
feedback, is checked too), at 1280x800 and at 375x812. A page that came by GET is then shown in the other language
and checked again. Reflow (WCAG 1.4.10): no horizontal scrolling at 320 CSS px (1280 px at 400% zoom) nor at 640
(1280x800 at 200%). A page already checked with the same path, state, language and viewport is not checked again,
so the journeys may pass the same page twice (and run on both databases) at no extra cost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from axe_playwright_python.base import AXE_SCRIPT

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
DESKTOP = (1280, 800)
PHONE = (375, 812)
REFLOW = ((320, 256), (640, 400))  # 1280 px wide at 400% and 1280x800 at 200% zoom
LANGUAGES = ("nl", "en")
METHOD = (
    "automated axe-core scan of every page of the five browser journeys in Dutch and English at 1280x800 and "
    "375x812, plus keyboard-only journey"
)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}$")  # a random token (an upload's), not a slug such as a lesson's
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^[A-Z0-9]{8,}$")  # a certificate's verification code
_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}
_RUN_AXE = "options => axe.run(document, options)"
_OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def viewport_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _segment(part: str) -> str:
    if part.isdigit():
        return "<id>"
    if _TOKEN.match(part) and not _SLUG.match(part):
        return "<token>"
    return "<code>" if _CODE.match(part) else part


def normalised_path(url: str) -> str:
    """The address without host and fragment, ids and tokens replaced, so that runs on both databases compare."""
    parts = urlsplit(url)
    segments = [_segment(s) for s in parts.path.split("/")]
    query = [(k, "<id>" if v.isdigit() else v) for k, v in parse_qsl(parts.query)]  # empty fields left out
    path = "/".join(segments)
    return f"{path}?{urlencode(query, safe='<>')}" if query else path


@dataclass
class PageResult:
    path: str
    title: str
    language: str
    viewport: str
    violations: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "language": self.language,
            "viewport": self.viewport,
            "violations": [{k: v[k] for k in ("id", "impact", "help", "nodes")} for v in self.violations],
        }


@dataclass
class AuditLog:
    """Every page checked in this test run; written, sorted by page, as the accessibility audit."""

    results: dict[tuple[str, str, str], PageResult] = field(default_factory=dict)
    walked: set[tuple[str, str]] = field(default_factory=set)  # pages gone round with the keyboard (path, language)
    axe_version: str = ""
    chromium_version: str = ""

    def tool(self) -> str:
        return (
            f"axe-core {self.axe_version} (axe-playwright-python {version('axe-playwright-python')}), "
            f"Chromium {self.chromium_version.split('.')[0]}"
        )

    def report(self, today: date) -> dict[str, Any]:
        order = sorted(self.results.values(), key=lambda r: (r.path, r.language, r.viewport != viewport_name(DESKTOP)))
        pages = [result.as_json() for result in order]
        return {
            "checked_on": today.isoformat(),
            "standard": "WCAG 2.1 AA",
            "tool": self.tool(),
            "method": METHOD,
            "pages": pages,
            "open_violations": sum(len(page["violations"]) for page in pages),
        }

    def write(self, path: Path, today: date) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.report(today), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")


class Audit:
    """The checks of one test: `audit.watch(page)` once, `audit.check(page)` after each step, `audit.assert_clean()`."""

    def __init__(self, log: AuditLog, sizes: tuple[tuple[int, int], ...] = (DESKTOP, PHONE)) -> None:
        self.log = log
        self.sizes = sizes
        self.failures: list[str] = []
        self._methods: dict[int, str] = {}

    def watch(self, page: Any) -> None:
        """Remember the method of each page's document request: a page made by a POST cannot be fetched again."""

        def remember(request: Any) -> None:
            if request.is_navigation_request() and request.frame == page.main_frame:
                self._methods[id(page)] = request.method

        page.on("request", remember)

    def check(self, page: Any, state: str = "") -> None:
        """Check the page as shown, at both viewports; then, if it came by GET, in the other language too."""
        page.wait_for_load_state()
        language = self.check_here(page, state)
        other = next(lang for lang in LANGUAGES if lang != language)
        missing = any(self._key(page, state, other, size) not in self.log.results for size in self.sizes)
        if missing and self._methods.get(id(page), "GET") == "GET":
            _choose_language(page, other)
            page.reload()
            self._check_here(page, state, other)
            _choose_language(page, language)
            page.reload()

    def first_walk(self, page: Any, state: str = "") -> bool:
        """Whether this page (in this state and language) has not been gone round with the keyboard yet in this run."""
        path = normalised_path(page.url) + (f" ({state})" if state else "")
        key = (path, page.evaluate("() => document.documentElement.lang"))
        if key in self.log.walked:
            return False
        self.log.walked.add(key)
        return True

    def _key(self, page: Any, state: str, language: str, size: tuple[int, int]) -> tuple[str, str, str]:
        path = normalised_path(page.url) + (f" ({state})" if state else "")
        return (path, language, viewport_name(size))

    def check_here(self, page: Any, state: str = "") -> str:
        """Check the page as shown, in its language, at both viewports; returns the language."""
        language: str = page.evaluate("() => document.documentElement.lang")
        self._check_here(page, state, language)
        return language

    def _check_here(self, page: Any, state: str, language: str) -> None:
        assert page.evaluate("() => document.documentElement.lang") == language, page.url
        for size in self.sizes:
            key = self._key(page, state, language, size)
            if key in self.log.results:
                continue
            page.set_viewport_size({"width": size[0], "height": size[1]})
            violations = self._axe(page) + (self._reflow(page) if size == PHONE else [])
            self.log.results[key] = PageResult(key[0], page.title(), language, key[2], violations)
            for violation in violations:
                self.failures.append(
                    f"{key[0]} [{language}, {key[2]}]: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} — {violation['nodes']} element(s), e.g. {violation['targets']}"
                )
        page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})

    def _axe(self, page: Any) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_SCRIPT)
        if not self.log.axe_version:
            self.log.axe_version = page.evaluate("() => axe.version")
        found = page.evaluate(_RUN_AXE, _AXE_OPTIONS)["violations"]
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": len(v["nodes"]),
                "targets": [node["target"] for node in v["nodes"][:5]],
            }
            for v in found
            if set(v["tags"]) & set(WCAG_TAGS)
        ]

    def _reflow(self, page: Any) -> list[dict[str, Any]]:
        """WCAG 1.4.10: at 320 and 640 CSS px wide the page must not scroll sideways (kept with the phone's result)."""
        problems = []
        for width, height in REFLOW:
            page.set_viewport_size({"width": width, "height": height})
            scroll_width, client_width = page.evaluate(_OVERFLOW)
            if scroll_width > client_width:
                wide = page.evaluate(_WIDEST, client_width)
                problems.append(
                    {
                        "id": "reflow",
                        "impact": "serious",
                        "help": f"Content must reflow without horizontal scrolling at {width} CSS px "
                        f"(WCAG 1.4.10; own check, not axe): the page is {scroll_width} px wide",
                        "nodes": len(wide),
                        "targets": wide[:5],
                    }
                )
        return problems

    def assert_clean(self) -> None:
        assert not self.failures, "WCAG 2.1 AA problems:\n" + "\n".join(self.failures)


# The outermost elements sticking out on the right (not counting those inside a scrolling box), to name the culprit.
_WIDEST = """width => {
  const clipped = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '');
  const out = [];
  const positioned = [];
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    const parent = el.parentElement && el.parentElement.getBoundingClientRect().right;
    if (right > width + 1 && !(parent > width + 1) && !clipped(el)) out.push(name(el));
    // An absolutely positioned element escapes a scrolling box that is not its containing block.
    if (right > width + 1 && getComputedStyle(el).position === 'absolute') positioned.push(name(el));
  }
  return out.length ? out : positioned;
}"""


def _choose_language(page: Any, language: str) -> None:
    """Choose the interface language as the header's button does (same form, same token), outside the page."""
    token = page.locator("header input[name=csrf_token]").first.input_value()
    parts = urlsplit(page.url)
    response = page.request.post(
        f"{parts.scheme}://{parts.netloc}/language",
        form={"csrf_token": token, "language": language, "next": "/"},
        max_redirects=0,
    )
    assert response.status == 302, response.status
