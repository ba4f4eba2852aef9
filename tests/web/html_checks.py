"""What the Content-Security-Policy forbids, looked for in HTML: inline script, event handlers, style, other origins."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements whose URL attribute loads something into the page (links to other sites are fine: CSP allows navigation).
_RESOURCE_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "object": "data",
    "input": "src",
}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name in values:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> style attribute")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and "src" not in values:
            self._in_script = True
        if tag == "link" and "stylesheet" in values.get("rel", "") and _external(values.get("href", "")):
            self.problems.append(f"stylesheet from another origin: {values['href']}")
        attribute = _RESOURCE_ATTRIBUTES.get(tag)
        if attribute and _external(values.get(attribute, "")):
            self.problems.append(f"<{tag} {attribute}={values[attribute]}> from another origin")
        for name in ("href", "src", "action", "formaction"):
            if values.get(name, "").strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={values[name]}> script URL")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")


def _external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//"))


def csp_problems(html: str) -> list[str]:
    """Everything in `html` that a strict CSP (no 'unsafe-inline', 'self' only) would block or that breaks it."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
