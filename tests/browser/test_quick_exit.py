"""The quick exit in a real browser: reachable right after the skip link, and gone from the back-button history."""

from __future__ import annotations

from typing import Any

from ..conftest import PASSWORD, World


def _login(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", "employee@example.org")
    page.fill("#password", PASSWORD)
    page.click("main form [type=submit]")


def test_the_quick_exit_replaces_the_learning_page_in_the_history(live_server: str, browser: Any, world: World) -> None:
    page = browser.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/learn/")
    page.goto(f"{live_server}/learn/basis/01-welkom")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/leave")
    page.go_back()
    assert page.url == f"{live_server}/learn/"  # the lesson page is no longer in the history
    page.close()


def test_shift_three_times_leaves_too(live_server: str, browser: Any, world: World) -> None:
    page = browser.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/learn/basis/")
    page.keyboard.press("Shift")
    page.keyboard.press("a")  # another key in between starts the count again
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert page.url == f"{live_server}/learn/basis/"
    page.keyboard.press("Shift")
    page.wait_for_url(f"{live_server}/leave")
    page.close()


def test_without_javascript_it_is_a_plain_link(live_server: str, browser: Any, world: World) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/learn/basis/01-welkom")
    page.click("a[data-quick-exit]")
    page.wait_for_url(f"{live_server}/leave")
    assert "e-learning" not in page.content().lower()
    context.close()


# The focused control, when the quick exit is what shows at its centre (2.4.11: focus not obscured), else null.
_HIDDEN_FOCUS = """(() => {
  const element = document.activeElement;
  if (!element || element === document.body || element.hasAttribute("data-quick-exit")) return null;
  const r = element.getBoundingClientRect();
  const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return top && top.closest("[data-quick-exit]") ? element.textContent.trim().slice(0, 40) : null;
})()"""


def test_the_quick_exit_never_hides_the_focused_control(live_server: str, browser: Any, world: World) -> None:
    """WCAG 2.4.11: tabbing through a lesson that scrolls, on a laptop and on a phone, no focus is under the button."""
    for width, height in ((1280, 300), (375, 300)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        _login(page, live_server)
        page.goto(f"{live_server}/learn/basis/01-welkom")
        hidden = []
        for _ in range(40):
            page.keyboard.press("Tab")
            if text := page.evaluate(_HIDDEN_FOCUS):
                hidden.append(text)
        assert not hidden, f"{width}px wide: the quick exit hides {hidden}"
        context.close()
