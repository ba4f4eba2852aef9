"""What parsing a content file yields: its lines, its front matter, its blocks, and the problems found.

Apart from `parse.py` so that `validate.py`, which checks what the parser built, needs nothing from the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from .model import ContentError, EffectSet, Part, Question, Reflection, Scenario, Severity


class Line(NamedTuple):
    """One source line: 1-based number, text (leading tabs expanded), and whether it is in fenced code."""

    no: int
    text: str
    code: bool = False


class Report:
    """Collects problems; never raises."""

    def __init__(self) -> None:
        self.problems: list[ContentError] = []

    def add(self, path: str, line: int, message: str, severity: Severity = "error", category: str = "") -> None:
        self.problems.append(ContentError(path, max(line, 0), message, severity, category))

    def error(self, path: str, line: int, message: str) -> None:
        self.add(path, line, message, "error")

    def warning(self, path: str, line: int, message: str, category: str = "") -> None:
        self.add(path, line, message, "warning", category)


@dataclass
class Yaml:
    """Parsed YAML plus the node tree, so any key or list item can be traced back to its line."""

    data: Any = None
    node: yaml.Node | None = None
    first_line: int = 1  # file line of the YAML text's first line
    ok: bool = False

    def line_of(self, *path: str | int) -> int:
        """File line of the key (or list item) at `path`; the nearest known line if it is not there."""
        node = self.node
        line = self.first_line
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == step:
                        line = self.first_line + key.start_mark.line
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = self.first_line + node.start_mark.line
            else:
                return line
        return line


@dataclass
class FrontMatter:
    """The `---` YAML header of a file (empty and `present=False` when the file has none)."""

    present: bool = False
    yaml: Yaml = field(default_factory=Yaml)

    @property
    def ok(self) -> bool:
        return self.yaml.ok

    @property
    def data(self) -> dict[str, Any]:
        return self.yaml.data if isinstance(self.yaml.data, dict) else {}

    def line_of(self, *path: str | int) -> int:
        return self.yaml.line_of(*path) if self.present else 1


@dataclass
class BlockInfo:
    """A built block with the lines of its parts, for module-wide checks."""

    kind: str
    id: str
    line: int
    value: Question | Scenario | Reflection | EffectSet
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)


@dataclass
class ParsedFile:
    """One parsed markdown file: front matter, title (lessons), HTML and blocks in order."""

    path: str
    front: FrontMatter
    title: str | None = None
    title_line: int = 0
    parts: tuple[Part, ...] = ()
    intro_html: str = ""
    blocks: list[BlockInfo] = field(default_factory=list)
    sound: bool = True
    body_start: int = 1
