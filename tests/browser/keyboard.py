"""Using a page with the keyboard only, checking at every stop that the focus is visible and never trapped."""

from __future__ import annotations

from typing import Any

# What has the focus: None when it is on the page itself or has left the page (to the browser's own controls).
_FOCUSED = """selector => {
  const el = document.activeElement;
  if (!document.hasFocus() || !el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  const box = el.getBoundingClientRect();
  const inView = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
    && box.top < innerHeight && box.left < innerWidth;
  const label = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
  let path = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
  if (!el.id) {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (up.id) { path = '#' + up.id + ' ' + path; break; }
    }
  }
  // A radio group is one stop: Tab enters it at its first radio, Shift+Tab at its last (arrows move within).
  const index = Array.prototype.indexOf.call(document.querySelectorAll('*'), el);
  const stop = el.type === 'radio' ? 'radio group ' + el.name : String(index);
  return {element: path + ' "' + label.slice(0, 50) + '"', stop: stop, visible: outline || shadow,
          inView: inView, matches: !!selector && el.matches(selector)};
}"""


class Keyboard:
    """Tab, Shift+Tab, Enter, Space and the arrow keys on one page; every focus stop must be visible."""

    def __init__(self, page: Any, limit: int = 150) -> None:
        self.page = page
        self.limit = limit

    def focused(self, selector: str = "") -> dict[str, Any] | None:
        """What has the focus now (None: nothing on the page); `matches` tells whether it is `selector`."""
        state: dict[str, Any] | None = self.page.evaluate(_FOCUSED, selector)
        return state

    def _assert_visible(self, state: dict[str, Any] | None, key: str) -> None:
        if state is None:
            return
        assert state["visible"], f"after {key} the focus on {state['element']} is not visible ({self.page.url})"
        assert state["inView"], f"after {key} the focused {state['element']} is off screen ({self.page.url})"

    def press(self, key: str, selector: str = "") -> dict[str, Any] | None:
        """Press a key; the focus it leads to must be visible."""
        self.page.keyboard.press(key)
        state = self.focused(selector)
        self._assert_visible(state, key)
        return state

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def matches(self, selector: str) -> bool:
        state = self.focused(selector)
        return bool(state and state["matches"])

    def tab_to(self, selector: str, *, backwards: bool = False) -> dict[str, Any]:
        """Press Tab (or Shift+Tab) until the focus is on `selector`; going round the page at most twice."""
        key = "Shift+Tab" if backwards else "Tab"
        left_page = 0
        for _ in range(self.limit):
            state = self.press(key, selector)
            if state is None:
                left_page += 1
                assert left_page <= 2, f"{selector} cannot be reached with {key} on {self.page.url}"
                continue
            if state["matches"]:
                return state
        raise AssertionError(f"{selector} not reached after {self.limit} presses of {key} on {self.page.url}")

    def activate(self, selector: str, key: str = "Enter", *, backwards: bool = False, navigates: bool = True) -> None:
        """Tab to `selector` and press Enter (links, buttons) or Space (buttons); wait for the page it leads to."""
        self.tab_to(selector, backwards=backwards)
        if not navigates:
            self.page.keyboard.press(key)
            return
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def walk_the_page(self) -> list[str]:
        """Tab round the whole page and Shift+Tab back: every stop visible, the same order both ways, and the round
        takes in the first and the last element that can take the focus, so the focus is not trapped anywhere."""
        ends = self.page.evaluate(_ENDS)
        assert ends, f"nothing on {self.page.url} can take the focus"
        round_trip: list[dict[str, Any]] = []
        seen: set[str] = set()
        for _ in range(self.limit):
            state = self.press("Tab")
            if state is None:  # the focus went to the browser's own controls, after the page's last element
                continue
            if state["stop"] in seen:
                assert state["stop"] == round_trip[0]["stop"], (
                    f"the focus is trapped on {self.page.url}: Tab goes back to {state['element']}"
                )
                break
            seen.add(state["stop"])
            round_trip.append(state)
        else:
            raise AssertionError(f"Tab does not come round on {self.page.url}: trapped?")
        stops = [state["stop"] for state in round_trip]
        names = [state["element"] for state in round_trip]
        assert ends[0] in stops and ends[1] in stops, f"the focus is trapped on {self.page.url}: only {names}"
        back: list[str] = []
        for _ in range(self.limit):
            if len(back) == len(stops):
                break
            state = self.press("Shift+Tab")
            if state is not None:
                back.append(state["stop"])
        assert back == stops[::-1], f"Shift+Tab does not retrace Tab on {self.page.url}: {names}"
        return names


# The first and last element (in document order) that Tab can reach, named as _FOCUSED names its stops.
_ENDS = """() => {
  const all = Array.from(document.querySelectorAll('*'));
  const candidates = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
  const reachable = Array.from(candidates).filter(el => el.tabIndex >= 0 && !el.matches(':disabled')
    && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
  if (!reachable.length) return null;
  const stop = el => el.type === 'radio' ? 'radio group ' + el.name : String(all.indexOf(el));
  return [stop(reachable[0]), stop(reachable[reachable.length - 1])];
}"""
