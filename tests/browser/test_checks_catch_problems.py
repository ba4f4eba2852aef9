"""The checks the journeys rely on do find problems: axe-core's WCAG rules, reflow, hidden focus, a keyboard trap."""

from __future__ import annotations

from typing import Any

import pytest

from .accessibility import Audit, AuditLog
from .keyboard import Keyboard

FOCUS = "<style>:focus-visible { outline: 3px solid #ffb612 }</style>"


@pytest.fixture
def blank(browser: Any) -> Any:
    page = browser.new_page()
    yield page
    page.close()


def test_axe_and_reflow_problems_fail_the_audit(blank: Any) -> None:
    blank.set_content(
        '<html lang="nl"><head><title>Fout</title></head><body><main>'
        '<img src="a.png"><input id="unlabelled"><table><tr><td>' + "x" * 400 + "</td></tr></table>"
        "</main></body></html>"
    )
    audit = Audit(AuditLog())  # a log of its own: this page is not part of the accessibility report
    assert audit.check_here(blank, "broken") == "nl"
    found = {line.split(": ")[1].split(" ")[0] for line in audit.failures}
    assert found == {"image-alt", "label", "reflow"}
    with pytest.raises(AssertionError, match="image-alt"):
        audit.assert_clean()
    viewports = sorted(key[2] for key in audit.log.results)
    assert viewports == ["1280x800", "375x812"]


def test_a_clean_page_passes(blank: Any) -> None:
    blank.set_content('<html lang="en"><head><title>Fine</title></head><body><main><h1>Fine</h1></main></body></html>')
    audit = Audit(AuditLog())
    audit.check_here(blank)
    audit.assert_clean()


def test_invisible_focus_and_a_trap_are_caught(blank: Any) -> None:
    radios = '<input type="radio" name="r"><input type="radio" name="r">'
    blank.set_content(FOCUS + f'<a href="#a">one</a>{radios}<button>two</button>')
    assert len(Keyboard(blank).walk_the_page()) == 3  # the radio group is one stop

    blank.set_content('<style>:focus { outline: none }</style><a href="#a">one</a><button>two</button>')
    with pytest.raises(AssertionError, match="not visible"):
        Keyboard(blank).walk_the_page()

    blank.set_content(
        FOCUS + '<a href="#a">one</a><input id="trap"><a href="#b">three</a>'
        "<script>trap.addEventListener('keydown', e => { if (e.key === 'Tab') e.preventDefault(); });</script>"
    )
    with pytest.raises(AssertionError, match="trapped"):
        Keyboard(blank).walk_the_page()
