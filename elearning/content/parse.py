"""Source text -> model values: front matter, `/// type | id` blocks, options, choices.

Every problem is reported with its file:line and parsing goes on, so an author sees all problems at once.
Module-wide rules (ids unique across files, languages alike, front-matter schema) live in validate.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from .model import (
    EFFECT_SETS,
    TAGS,
    EffectItem,
    EffectSet,
    HtmlPart,
    Option,
    Part,
    Question,
    Reflection,
    Scenario,
    ScenarioChoice,
    Scene,
)
from .parsed import BlockInfo, FrontMatter, Line, ParsedFile, Report, Yaml
from .render import ADMONITION_TYPES, Renderer
from .validate import (
    ENDINGS,
    ID_RE,
    check_scenario_graph,
    did_you_mean,
    invalid_id_message,
    unknown_key_message,
)

FileKind = Literal["lesson", "assessment", "intro", "effect"]
BLOCK_TYPES: tuple[str, ...] = ("check", "question", "scenario", "reflection")
OPTION_KEYS: dict[str, tuple[str, ...]] = {
    "check": ("multiple", "hint"),
    "question": ("multiple", "hint", "pool"),
    "scenario": ("title", "start", "warning", "summary"),
    "scene": ("ending",),
    "reflection": (),
    "effect": ("low", "high", "after_days"),
}
# A follow-up set is offered this many days after completion at the earliest and the latest.
AFTER_DAYS_RANGE = (7, 365)
MAX_EFFECT_ITEMS = 8

_FENCE = re.compile(r"^ {0,3}(/{3,})(.*)$")
_HEADER = re.compile(r"^[ ]*(?P<kind>[\w-]+)[ ]*(?:\|[ ]*(?P<arg>.*?)[ ]*)?$")
_HEADER_WORD = re.compile(r"^[ ]*(?P<kind>[\w-]+)")
_CODE_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_OPTIONS_LINE = re.compile(r"^ {4,}\S")
_TITLE = re.compile(r"^ {0,3}#(?!#)[ \t]*(?P<title>.*?)[ \t]*#*[ \t]*$")
_OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[(?P<mark>[ xX]?)\][ \t]*(?P<rest>.*)$")
_OPTION_ID = re.compile(r"^\((?P<id>[^()]*)\)[ \t]*(?P<label>.*)$")
_BULLET = re.compile(r"^ {0,3}[-*+][ \t]+\S")
_CHOICE = re.compile(r"^ {0,3}[-*+][ \t]+(?:\((?P<id>[^()]*)\)[ \t]*)?\[(?P<label>.*)\]\((?P<target>[^()\s]*)\)[ \t]*$")
_CHOICE_ATTEMPT = re.compile(r"^ {0,3}[-*+][ \t]+\((?P<id>[^()\s]*)\)")
_TAG_LINE = re.compile(r"^tag[ \t]*:[ \t]*(?P<tag>.*?)[ \t]*$")
_EFFECT_ITEM = re.compile(r"^ {0,3}[-*+][ \t]+\((?P<id>[^()]*)\)[ \t]*(?P<text>.*)$")
_MARKER = "elearningblockmarker{}x"
_BALANCED_TAGS = ("div", "ul", "ol", "li", "table", "blockquote", "section", "details", "pre")

# Dutch names of the 5 D's, for a friendlier "did you mean" on tags.
_DUTCH_TAGS: dict[str, str] = {
    "afleiden": "distract",
    "delegeren": "delegate",
    "documenteren": "document",
    "uitstellen": "delay",
    "direct-aanspreken": "direct",
    "aanspreken": "direct",
}


def read_lines(text: str) -> list[Line]:
    """Split text into Lines (any line ending), marking fenced code so later checks can skip it."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    lines: list[Line] = []
    fence: str | None = None
    for i, line in enumerate(raw, start=1):
        stripped = line.lstrip(" \t")
        if len(stripped) != len(line):
            line = line[: len(line) - len(stripped)].expandtabs(4) + stripped
        m = _CODE_FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group("fence")
                lines.append(Line(i, line, True))
            else:
                lines.append(Line(i, line, False))
        else:
            lines.append(Line(i, line, True))
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence):
                rest = line.strip()[len(m.group("fence")) :]
                if not rest.strip():
                    fence = None
    return lines


def truncate(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


# --------------------------------------------------------------------------------------------- YAML


def parse_yaml(text: str, first_line: int, path: str, report: Report, what: str) -> Yaml:
    """Parse a YAML mapping; report syntax errors, non-mappings and duplicate keys at their lines."""
    result = Yaml(first_line=first_line)
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark is not None else 0)
        problem = exc.problem or exc.context or "syntax error"
        report.error(
            path,
            line,
            f"invalid YAML in {what}: {problem} (put text containing ': ' or starting with '{{' in quotes)",
        )
        return result
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: max(exc.position, 0)].count("\n")
        report.error(path, line, f"invalid character (#x{exc.character:04x}) in {what}")
        return result
    except Exception as exc:  # yaml can raise plain ValueError/RecursionError on odd input
        report.error(path, first_line, f"invalid YAML in {what}: {exc}")
        return result
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        report.error(path, first_line, f"{what} must be 'key: value' lines")
        return result
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    report.error(path, first_line + key.start_mark.line, f"key '{key.value}' appears twice in {what}")
                seen.add(key.value)
    result.data, result.node, result.ok = data, node, True
    return result


def split_front_matter(lines: list[Line], path: str, report: Report) -> tuple[FrontMatter, list[Line]]:
    """Take the front matter off the top of a file; the rest is the body (with its own line numbers)."""
    if not lines or lines[0].text.strip() != "---":
        return FrontMatter(), lines
    for i in range(1, len(lines)):
        if lines[i].text.rstrip() in ("---", "..."):
            text = "\n".join(line.text for line in lines[1:i])
            return FrontMatter(True, parse_yaml(text, 2, path, report, "front matter")), lines[i + 1 :]
    report.error(path, 1, "front matter is not closed: add a line with --- after its last key")
    return FrontMatter(True, Yaml()), []


# ------------------------------------------------------------------------------------------- blocks


@dataclass
class Block:
    """A `/// kind | arg` ... `///` block as written, before it is turned into a model value."""

    kind: str
    arg: str | None
    fence: int
    line: int
    header: str
    header_ok: bool = True
    options: list[Line] = field(default_factory=list)
    items: list[Line | Block] = field(default_factory=list)
    closed: bool = False

    @property
    def slashes(self) -> str:
        return "/" * self.fence

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.arg}'" if self.arg else f"{self.kind} block"

    def lines(self) -> list[Line]:
        return [item for item in self.items if isinstance(item, Line)]

    def blocks(self) -> list[Block]:
        return [item for item in self.items if isinstance(item, Block)]

    def source(self) -> list[str]:
        """The block re-assembled as markdown (used for callouts, which pymdownx renders)."""
        out = [self.header, *(line.text for line in self.options)]
        for item in self.items:
            out.extend([item.text] if isinstance(item, Line) else item.source())
        out.append(self.slashes)
        return out


def tokenize(lines: list[Line], path: str, report: Report) -> tuple[list[Line | Block], bool]:
    """Group lines into nested blocks. Returns the top-level items and whether the structure was sound."""
    root: list[Line | Block] = []
    stack: list[Block] = []
    sound = True
    expecting_options: Block | None = None

    def unclosed(block: Block) -> None:
        nonlocal sound
        sound = False
        where = f"add a line with {block.slashes} where it ends"
        report.error(path, block.line, f"{block.label} is not closed: {where}")

    for line in lines:
        container = stack[-1].items if stack else root
        if expecting_options is not None:
            if not line.code and _OPTIONS_LINE.match(line.text):
                expecting_options.options.append(line)
                continue
            expecting_options = None
        m = None if line.code else _FENCE.match(line.text)
        if m is None:
            container.append(line)
            continue
        fence, rest = len(m.group(1)), m.group(2)
        if not rest.strip():  # a closing fence
            index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].fence == fence), None)
            if index is None:
                sound = False
                report.error(
                    path,
                    line.no,
                    f"'{m.group(1)}' closes nothing: there is no open block that starts with {m.group(1)}",
                )
                continue
            for inner in stack[index + 1 :]:
                unclosed(inner)
            stack[index].closed = True
            del stack[index:]
            continue
        header = _HEADER.match(rest)
        if header is not None:
            kind, arg, ok = header.group("kind"), (header.group("arg") or "").strip() or None, True
        else:
            word = _HEADER_WORD.match(rest)
            kind, arg, ok = (word.group("kind") if word else ""), None, False
            sound = False
            report.error(
                path,
                line.no,
                f"malformed block header '{line.text.strip()}': write it as '{m.group(1)} type | id'",
            )
        index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].fence == fence), None)
        if index is not None:
            if kind == "scene" and stack[-1].kind == "scenario" and index == len(stack) - 1:
                sound = False
                report.error(
                    path,
                    line.no,
                    f"a scene inside a scenario starts with {'/' * (fence + 1)}: "
                    f"write '{'/' * (fence + 1)} scene | {arg or 'id'}' and close "
                    f"it with {'/' * (fence + 1)}",
                )
            else:
                for inner in stack[index:]:
                    unclosed(inner)
                del stack[index:]
                container = stack[-1].items if stack else root
        block = Block(kind.lower(), arg, fence, line.no, line.text.rstrip(), ok)
        container.append(block)
        stack.append(block)
        expecting_options = block
    for block in stack:
        unclosed(block)
    return root, sound


# ----------------------------------------------------------------------------------- block contents


class FileParser:
    """Turns the blocks of one file into model values, reporting into a shared Report."""

    def __init__(self, path: str, report: Report, renderer: Renderer) -> None:
        self.path = path
        self.report = report
        self.r = renderer

    def error(self, line: int, message: str) -> None:
        self.report.error(self.path, line, message)

    def warning(self, line: int, message: str) -> None:
        self.report.warning(self.path, line, message)

    # -- options -------------------------------------------------------------------------------

    def options(self, block: Block, name: str) -> tuple[dict[str, Any], Yaml]:
        """The 4-space-indented `key: value` lines right after a header."""
        if not block.options:
            return {}, Yaml(first_line=block.line)
        indent = min(len(line.text) - len(line.text.lstrip(" ")) for line in block.options)
        text = "\n".join(line.text[indent:] for line in block.options)
        parsed = parse_yaml(text, block.options[0].no, self.path, self.report, f"the options of {name}")
        if not parsed.ok:
            return {}, parsed
        allowed = OPTION_KEYS.get(block.kind, ())
        data: dict[str, Any] = {}
        for key, value in parsed.data.items():
            key_text = str(key)
            if key_text in allowed:
                data[key_text] = value
            else:
                self.error(
                    parsed.line_of(key_text),
                    unknown_key_message(f"option '{key_text}' for {name}", key_text, allowed),
                )
        return data, parsed

    def block_id(self, block: Block) -> str | None:
        if block.arg is None:
            self.error(
                block.line,
                f"{block.kind} block has no id: write it as '{block.slashes} {block.kind} | some-id'",
            )
            return None
        if not ID_RE.match(block.arg):
            self.error(block.line, invalid_id_message(f"id '{block.arg}' of {block.kind}", block.arg))
            return None
        return block.arg

    def text_only(self, block: Block, name: str) -> list[Line]:
        for inner in block.blocks():
            self.error(
                inner.line,
                f"{inner.label} cannot be placed inside {name}; close {name} with {block.slashes} first",
            )
        return block.lines()

    # -- questions -----------------------------------------------------------------------------

    def question(self, block: Block, graded: bool) -> BlockInfo | None:
        qid = self.block_id(block)
        name = f"question '{qid or '?'}'"
        opts, parsed = self.options(block, name)
        lines = self.text_only(block, name)
        multiple = self._bool(opts, "multiple", name, parsed)
        hint = self._text(opts, "hint", name, parsed)
        pool = self._text(opts, "pool", name, parsed)
        if pool is not None and not ID_RE.match(pool):
            self.error(parsed.line_of("pool"), invalid_id_message(f"pool '{pool}' of {name}", pool))
        start = next((i for i, line in enumerate(lines) if _OPTION.match(line.text)), len(lines))
        prompt_lines, rest = lines[:start], lines[start:]
        for line in prompt_lines:
            attempt = _CHOICE_ATTEMPT.match(line.text)
            if attempt:
                self.error(
                    line.no,
                    f"option ({attempt.group('id')}) of {name} must start with '- [ ]' or "
                    f"'- [x]': write it as '- [ ] ({attempt.group('id')}) ...'",
                )
        prompt = "\n".join(line.text for line in prompt_lines)
        info_lines: dict[tuple[str, ...], int] = {}
        options: list[Option] = []
        raw_options = self._split_items(rest, name, "options", _OPTION, "- [ ] (a) ...")
        seen: set[str] = set()
        for head, body in raw_options:
            m = _OPTION.match(head.text)
            if m is None:
                raise RuntimeError("an option line no longer matches")
            correct = m.group("mark") in ("x", "X")
            rest_text = m.group("rest")
            idm = _OPTION_ID.match(rest_text)
            label_lines, feedback = self._option_body(body)
            if idm is None:
                label = truncate(rest_text)
                self.error(
                    head.no,
                    f"option '{label}' of {name} has no id: write it as '- [{'x' if correct else ' '}] (a) {label}'",
                )
                continue
            oid, label = idm.group("id").strip(), " ".join([idm.group("label").strip(), *label_lines]).strip()
            if not ID_RE.match(oid):
                self.error(head.no, invalid_id_message(f"option id '{oid}' of {name}", oid))
                continue
            if oid in seen:
                self.error(head.no, f"option ({oid}) appears twice in {name}")
                continue
            seen.add(oid)
            info_lines[("option", oid)] = head.no
            if not label:
                self.error(head.no, f"option ({oid}) of {name} has no text")
            if not feedback.strip():
                self.error(head.no, f"option ({oid}) of {name} has no feedback")
            prefix = f"{qid}-{oid}"
            options.append(Option(oid, self.r.inline(label), correct, self.r.fragment(feedback, prefix)))
        if qid is None:
            return None
        if not prompt.strip():
            self.error(block.line, f"{name} has no question text above its options")
        if not raw_options:
            self.error(
                block.line,
                f"{name} has no options: add lines like '- [x] (a) answer' with '> feedback' under each",
            )
        elif options:
            correct_ids = [o.id for o in options if o.correct]
            if not correct_ids and len(options) == len(raw_options):
                self.error(block.line, f"{name} has no correct option: mark the right answer with [x]")
            elif len(correct_ids) > 1 and not multiple:
                self.error(
                    block.line,
                    f"{name} has {len(correct_ids)} correct options "
                    f"({', '.join(correct_ids)}) but allows only one answer: mark one "
                    f"with [x] or add 'multiple: true'",
                )
        question = Question(
            id=qid,
            graded=graded,
            multiple=bool(multiple),
            prompt_html=self.r.fragment(prompt, qid),
            options=tuple(options),
            hint_html=self.r.inline(hint) if hint else None,
            pool=pool,
            line=block.line,
        )
        return BlockInfo(block.kind, qid, block.line, question, info_lines)

    def _split_items(
        self, lines: list[Line], name: str, what: str, item: re.Pattern[str], example: str
    ) -> list[tuple[Line, list[Line]]]:
        """Split an option/choice list into (item line, its indented continuation lines)."""
        items: list[tuple[Line, list[Line]]] = []
        stray_reported = False
        for line in lines:
            text = line.text
            if item.match(text):
                items.append((line, []))
            elif not text.strip() or (items and (text[0] == " " or text.startswith(">"))):
                if items:
                    items[-1][1].append(line)
            elif _BULLET.match(text):
                self.error(
                    line.no,
                    f"'{truncate(text.strip())}' in {name} is not a valid {what[:-1]}: write it as '{example}'",
                )
            elif not stray_reported:
                stray_reported = True
                self.error(
                    line.no,
                    f"text after the {what} of {name} is not shown: move it above the {what} or into the feedback",
                )
        return items

    @staticmethod
    def _option_body(body: list[Line]) -> tuple[list[str], str]:
        """Label continuation lines and the `>` feedback of one option."""
        label: list[str] = []
        feedback: list[str] = []
        in_feedback = False
        for line in body:
            stripped = line.text.strip()
            if stripped.startswith(">"):
                in_feedback = True
                content = stripped[1:]
                feedback.append(content[1:] if content.startswith(" ") else content)
            elif in_feedback:
                feedback.append(stripped)
            elif stripped:
                label.append(stripped)
        return label, "\n".join(feedback).strip("\n")

    def _bool(self, opts: dict[str, Any], key: str, name: str, parsed: Yaml) -> bool | None:
        value = opts.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.error(parsed.line_of(key), f"option '{key}' of {name} must be true or false, not '{value}'")
        return None

    def _text(self, opts: dict[str, Any], key: str, name: str, parsed: Yaml) -> str | None:
        value = opts.get(key)
        if value is None:
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value).strip() or None
        self.error(parsed.line_of(key), f"option '{key}' of {name} must be text (put it in quotes)")
        return None

    # -- scenarios -----------------------------------------------------------------------------

    def scenario(self, block: Block) -> BlockInfo | None:
        sid = self.block_id(block)
        name = f"scenario '{sid or '?'}'"
        opts, parsed = self.options(block, name)
        title = self._text(opts, "title", name, parsed) or ""
        start = self._text(opts, "start", name, parsed)
        warning = self._text(opts, "warning", name, parsed)
        summary = self._text(opts, "summary", name, parsed)
        if warning and not summary:
            self.error(
                parsed.line_of("warning"),
                f"{name} has a 'warning' but no 'summary': learners who would rather not walk the scenario read "
                f"the summary instead",
            )
        intro: list[str] = []
        scenes: list[Scene] = []
        lines: dict[tuple[str, ...], int] = {}
        seen_scene = False
        gap_reported = False
        for item in block.items:
            if isinstance(item, Line):
                if not seen_scene:
                    intro.append(item.text)
                elif item.text.strip() and not gap_reported:
                    gap_reported = True
                    self.error(item.no, f"text between the scenes of {name} is not shown: move it into a scene")
                continue
            if item.kind != "scene":
                self.error(
                    item.line,
                    f"only '{'/' * (block.fence + 1)} scene | id' blocks can be inside {name}, not {item.label}",
                )
                continue
            seen_scene = True
            scene = self.scene(item, sid or "?", lines)
            if scene is None:
                continue
            if any(s.id == scene.id for s in scenes):
                self.error(item.line, f"scene '{scene.id}' appears twice in {name}")
                continue
            scenes.append(scene)
        if sid is None:
            return None
        if not scenes:
            self.error(block.line, f"{name} has no scenes: add '{'/' * (block.fence + 1)} scene | id' blocks")
        start_line = parsed.line_of("start") if start is not None else block.line
        if start is None and scenes:
            start = scenes[0].id
        lines[("start",)] = start_line
        scenario = Scenario(
            sid,
            title,
            self.r.fragment("\n".join(intro), sid),
            start or "",
            tuple(scenes),
            line=block.line,
            warning_html=self.r.inline(warning) if warning else None,
            summary_html=self.r.fragment(summary, f"{sid}-summary") if summary else None,
        )
        if scenes:
            check_scenario_graph(scenario, block.line, lines, self.path, self.report)
        return BlockInfo("scenario", sid, block.line, scenario, lines)

    def scene(self, block: Block, scenario_id: str, lines: dict[tuple[str, ...], int]) -> Scene | None:
        if block.arg is None:
            self.error(
                block.line,
                f"scene in scenario '{scenario_id}' has no id: write it as '{block.slashes} scene | some-id'",
            )
            return None
        if not ID_RE.match(block.arg):
            self.error(
                block.line,
                invalid_id_message(f"scene id '{block.arg}' in scenario '{scenario_id}'", block.arg),
            )
            return None
        scene_id = block.arg
        name = f"scene '{scene_id}' of scenario '{scenario_id}'"
        opts, parsed = self.options(block, name)
        ending = self._text(opts, "ending", name, parsed)
        if ending is not None and ending not in ENDINGS:
            self.error(
                parsed.line_of("ending"),
                f"'ending' of {name} must be good, acceptable or poor, not '{ending}'",
            )
            ending = None
        body = self.text_only(block, name)
        start = next((i for i, line in enumerate(body) if _CHOICE.match(line.text)), len(body))
        text_lines, rest = body[:start], body[start:]
        for line in text_lines:
            attempt = _CHOICE_ATTEMPT.match(line.text)
            if attempt:
                self.error(
                    line.no,
                    f"choice ({attempt.group('id')}) in {name} has no target: write it as "
                    f"'- ({attempt.group('id')}) [label](#scene-id)'",
                )
        lines[("scene", scene_id)] = block.line
        choices: list[ScenarioChoice] = []
        for head, cont in self._split_items(rest, name, "choices", _CHOICE, "- (id) [label](#scene-id)"):
            choice = self.choice(head, cont, name, scene_id, {c.id for c in choices}, scenario_id)
            if choice is not None:
                lines[("choice", scene_id, choice.id)] = head.no
                choices.append(choice)
        html = self.r.fragment("\n".join(line.text for line in text_lines), f"{scenario_id}-{scene_id}")
        return Scene(scene_id, html, tuple(choices), ending)  # type: ignore[arg-type]

    def choice(
        self, head: Line, body: list[Line], name: str, scene_id: str, seen: set[str], scenario_id: str
    ) -> ScenarioChoice | None:
        m = _CHOICE.match(head.text)
        if m is None:
            raise RuntimeError("a choice line no longer matches")
        label, target = m.group("label").strip(), m.group("target")
        cid = (m.group("id") or "").strip()
        if m.group("id") is None or not cid:
            self.error(
                head.no,
                f"choice '{truncate(label)}' in {name} has no id: write it as '- (id) [{truncate(label)}]({target})'",
            )
            return None
        if not ID_RE.match(cid):
            self.error(head.no, invalid_id_message(f"choice id '{cid}' in {name}", cid))
            return None
        if cid in seen:
            self.error(head.no, f"choice ({cid}) appears twice in {name}")
            return None
        if not target.startswith("#") or len(target) < 2:
            self.error(
                head.no,
                f"choice ({cid}) in {name} must link to a scene: write [{truncate(label)}](#scene-id)",
            )
        if not label:
            self.error(head.no, f"choice ({cid}) in {name} has no text")
        tag: str | None = None
        feedback: list[str] = []
        in_feedback = False
        for line in body:
            stripped = line.text.strip()
            tag_m = _TAG_LINE.match(stripped)
            if stripped.startswith(">"):
                in_feedback = True
                content = stripped[1:]
                feedback.append(content[1:] if content.startswith(" ") else content)
            elif tag_m and not in_feedback:
                tag = tag_m.group("tag").strip("'\"")
                if tag not in TAGS:
                    suggestion = _DUTCH_TAGS.get(tag.lower().replace(" ", "-")) or did_you_mean(tag, TAGS)
                    hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                    self.error(
                        line.no,
                        f"unknown tag '{tag}' on choice ({cid}) in {name}: use one of {', '.join(TAGS)}{hint}",
                    )
                    tag = None
            elif in_feedback:
                feedback.append(stripped)
            elif stripped:
                self.error(
                    line.no,
                    f"unexpected line under choice ({cid}) in {name}: only 'tag: ...' and "
                    f"'> feedback' lines belong there",
                )
        text = "\n".join(feedback).strip("\n")
        if not text.strip():
            self.warning(head.no, f"choice ({cid}) in {name} has no feedback")
        return ScenarioChoice(
            id=cid,
            label_html=self.r.inline(label),
            target=target[1:] if target.startswith("#") else target,
            feedback_html=self.r.fragment(text, f"{scenario_id}-{scene_id}-{cid}"),
            tag=tag,
        )

    # -- effect measurement ---------------------------------------------------------------------

    def effect(self, block: Block) -> BlockInfo | None:
        """`/// effect | pre|post|follow-up`: optional intro text, then `- (id) statement` lines rated 1 to 5."""
        name = f"effect set '{block.arg or '?'}'"
        set_name = block.arg
        if set_name is None or set_name not in EFFECT_SETS:
            suggestion = did_you_mean(set_name or "", EFFECT_SETS) if set_name else None
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            self.error(
                block.line,
                f"an effect block is '/// effect | pre', 'post' or 'follow-up', not '{block.header.strip()}'{hint}",
            )
            set_name = None
        opts, parsed = self.options(block, name)
        low = self._text(opts, "low", name, parsed)
        high = self._text(opts, "high", name, parsed)
        after_days = opts.get("after_days")
        if after_days is not None:
            low_days, high_days = AFTER_DAYS_RANGE
            if set_name != "follow-up":
                self.error(parsed.line_of("after_days"), f"'after_days' belongs to the follow-up set, not to {name}")
                after_days = None
            elif type(after_days) is not int or not low_days <= after_days <= high_days:
                self.error(
                    parsed.line_of("after_days"),
                    f"'after_days' of {name} must be a whole number of days from {low_days} to {high_days}, "
                    f"not {after_days!r}",
                )
                after_days = None
        lines = self.text_only(block, name)
        start = next((i for i, line in enumerate(lines) if _EFFECT_ITEM.match(line.text)), len(lines))
        intro, rest = lines[:start], lines[start:]
        items: list[EffectItem] = []
        item_lines: dict[tuple[str, ...], int] = {}
        for head, body in self._split_items(rest, name, "statements", _EFFECT_ITEM, "- (id) statement"):
            m = _EFFECT_ITEM.match(head.text)
            if m is None:  # _split_items starts an item only where the pattern matches
                raise ValueError(f"not an effect item: {head.text!r}")
            item_id = m.group("id").strip()
            text = " ".join([m.group("text").strip(), *(line.text.strip() for line in body if line.text.strip())])
            if not ID_RE.match(item_id):
                self.error(head.no, invalid_id_message(f"statement id '{item_id}' of {name}", item_id))
                continue
            if ("item", item_id) in item_lines:
                self.error(head.no, f"statement ({item_id}) appears twice in {name}")
                continue
            if not text.strip():
                self.error(head.no, f"statement ({item_id}) of {name} has no text")
            item_lines[("item", item_id)] = head.no
            items.append(EffectItem(item_id, self.r.inline(text)))
        for line in intro:
            if _BULLET.match(line.text):
                self.error(
                    line.no,
                    f"'{truncate(line.text.strip())}' in {name} is not a valid statement: write it as "
                    f"'- (id) statement'",
                )
                break
        if not items:
            self.error(block.line, f"{name} has no statements: add lines like '- (melden) Ik weet waar ik kan melden.'")
        elif len(items) > MAX_EFFECT_ITEMS:
            self.warning(
                block.line,
                f"{name} has {len(items)} statements; keep a set short (at most {MAX_EFFECT_ITEMS}) so that people "
                f"answer it",
            )
        if set_name is None:
            return None
        effect_set = EffectSet(
            name=set_name,
            intro_html=self.r.fragment("\n".join(line.text for line in intro), f"effect-{set_name}"),
            items=tuple(items),
            low_html=self.r.inline(low) if low else None,
            high_html=self.r.inline(high) if high else None,
            after_days=after_days if isinstance(after_days, int) else None,
            line=block.line,
        )
        return BlockInfo("effect", set_name, block.line, effect_set, item_lines)

    # -- reflections ---------------------------------------------------------------------------

    def reflection(self, block: Block) -> BlockInfo | None:
        rid = self.block_id(block)
        name = f"reflection '{rid or '?'}'"
        self.options(block, name)
        text = "\n".join(line.text for line in self.text_only(block, name))
        if rid is None:
            return None
        if not text.strip():
            self.error(block.line, f"{name} has no text")
        return BlockInfo("reflection", rid, block.line, Reflection(rid, self.r.fragment(text, rid)))

    # -- files ---------------------------------------------------------------------------------

    def build(self, block: Block, allowed: tuple[str, ...], where: str) -> BlockInfo | None:
        """Build one of our blocks; report a block type that does not belong in this file."""
        if not block.header_ok or not block.closed:  # already reported; its content is unreliable
            return None
        if block.kind not in allowed:
            self.error(block.line, self._misplaced(block, allowed, where))
            return None
        if block.kind in ("check", "question"):
            return self.question(block, graded=block.kind == "question")
        if block.kind == "scenario":
            return self.scenario(block)
        if block.kind == "effect":
            return self.effect(block)
        return self.reflection(block)

    @staticmethod
    def _misplaced(block: Block, allowed: tuple[str, ...], where: str) -> str:
        if block.kind == "effect":
            return "effect blocks belong in effect.<lang>.md, next to the lessons"
        if allowed == ("effect",):
            return (
                f"only '/// effect | pre', '/// effect | post' and '/// effect | follow-up' blocks belong in {where}, "
                f"not {block.label}"
            )
        if block.kind in BLOCK_TYPES and not allowed:
            return f"{block.kind} blocks are not allowed in {where}; put them in a lesson"
        if block.kind == "question":
            return "question blocks belong in assessment.<lang>.md; use '/// check' for a question in a lesson"
        if block.kind == "check":
            return f"check blocks belong in lessons; use '/// question' in {where}"
        if block.kind in BLOCK_TYPES:
            return f"{block.kind} blocks are not allowed in {where}; put them in a lesson"
        if block.kind == "scene":
            return (
                f"a scene must be inside a scenario: put '{'/' * (block.fence + 1)} scene | "
                f"{block.arg or 'id'}' between '/// scenario | id' and its closing '///'"
            )
        known = (*allowed, *ADMONITION_TYPES)
        suggestion = did_you_mean(block.kind, (*BLOCK_TYPES, *ADMONITION_TYPES))
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        return f"unknown block type '{block.kind}': use one of {', '.join(known)}{hint}"

    def check_callout(self, block: Block) -> None:
        """Callouts may only contain markdown and other callouts."""
        for inner in block.blocks():
            if inner.kind in ADMONITION_TYPES and inner.header_ok:
                self.check_callout(inner)
            elif inner.header_ok:
                self.error(
                    inner.line,
                    f"{inner.label} cannot be placed inside a '{block.kind}' callout; put it outside the callout",
                )


def parse_file(
    text: str,
    path: str,
    kind: FileKind,
    renderer: Renderer,
    report: Report,
    lines: list[Line] | None = None,
) -> ParsedFile:
    """Parse a lesson (`kind="lesson"`), an assessment (`"assessment"`) or a module intro (`"intro"`)."""
    lines = read_lines(text) if lines is None else lines
    front, body = split_front_matter(lines, path, report)
    parsed = ParsedFile(path, front, body_start=body[0].no if body else 1)
    items, parsed.sound = tokenize(body, path, report)
    parser = FileParser(path, report, renderer)
    file_name = path.rsplit("/", 1)[-1]
    allowed = {
        "lesson": ("check", "scenario", "reflection"),
        "assessment": ("question",),
        "intro": (),
        "effect": ("effect",),
    }[kind]

    if kind == "lesson":
        for i, item in enumerate(items):
            if isinstance(item, Line) and not item.code:
                m = _TITLE.match(item.text)
                if m and m.group("title"):
                    parsed.title, parsed.title_line = m.group("title"), item.no
                    items = items[:i] + items[i + 1 :]
                    break
        if parsed.title is None:
            report.error(path, parsed.body_start, "lesson has no title: start it with a line '# Title'")

    segments: list[list[str]] = [[]]
    built: list[Part] = []
    first_question_seen = False
    misplaced_reported = False
    # In an assessment only questions, and in an effect file only effect sets, may follow the first block.
    first_kind = {"assessment": "question", "effect": "effect"}.get(kind)
    first_what = "the first question" if kind == "assessment" else "the first effect set"

    def misplaced(line: int, what: str) -> None:
        nonlocal misplaced_reported
        if not misplaced_reported:
            misplaced_reported = True
            report.error(
                path,
                line,
                f"only '/// {first_kind}' blocks can follow {first_what} in {file_name}: move this {what} above "
                f"{first_what}",
            )

    for item in items:
        if isinstance(item, Line):
            if first_kind and first_question_seen and item.text.strip():
                misplaced(item.no, "text")
            segments[-1].append(item.text)
            continue
        if item.kind in ADMONITION_TYPES:
            if not item.header_ok:
                continue
            if first_kind and first_question_seen:
                misplaced(item.line, "callout")
                continue
            parser.check_callout(item)
            segments[-1].extend(["", *item.source(), ""])
            continue
        info = parser.build(item, allowed, file_name)
        if first_kind and item.kind == first_kind:
            first_question_seen = True
        if info is None and item.kind in allowed:
            parsed.sound = False
        if info is not None:
            parsed.blocks.append(info)
            built.append(info.value)  # type: ignore[arg-type]  # effect sets are never lesson parts
            segments.append([])
    texts = ["\n".join(segment) for segment in segments]
    if kind == "lesson":
        parsed.parts = _assemble(texts, built, renderer)
    else:
        parsed.intro_html = renderer.document(texts[0]) if texts[0].strip() else ""
    return parsed


def _assemble(texts: list[str], blocks: list[Part], renderer: Renderer) -> tuple[Part, ...]:
    """Render the lesson text as ONE document (so footnotes and heading anchors work across blocks),
    then cut it where the blocks were; fall back to rendering the pieces one by one."""
    pieces: list[str] | None = None
    if blocks:
        markers = [_MARKER.format(i) for i in range(len(blocks))]
        doc = texts[0]
        for marker, text in zip(markers, texts[1:], strict=True):
            doc += f"\n\n{marker}\n\n{text}"
        html = renderer.document(doc)
        pieces = []
        for marker in markers:
            before, sep, html = html.partition(f"<p>{marker}</p>")
            if not sep:
                pieces = None
                break
            pieces.append(before)
        if pieces is not None:
            pieces.append(html)
            if not all(_balanced(piece) for piece in pieces):
                pieces = None
    if pieces is None:
        pieces = [renderer.document(text) if text.strip() else "" for text in texts]
    parts: list[Part] = []
    for i, piece in enumerate(pieces):
        if piece.strip():
            parts.append(HtmlPart(piece.strip()))
        if i < len(blocks):
            parts.append(blocks[i])
    return tuple(parts)


def _balanced(html: str) -> bool:
    """Every container opened in this piece is closed in it (the cut did not split an element)."""
    return all(len(re.findall(rf"<{tag}[\s>]", html)) == html.count(f"</{tag}>") for tag in _BALANCED_TAGS)
