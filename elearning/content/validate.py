"""Content rules that need more than one line: front-matter schema, scenario graphs, source-text safety,
placeholders, images, unique ids and the same structure in every language.

Messages are shown to authors as `path:line: message`; keep them friendly, exact and actionable.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Question, Reflection, Scenario
from .parsed import BlockInfo, FrontMatter, Line, ParsedFile, Report

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
LANG_RE = re.compile(r"[a-z]{2,3}\Z")
ENDINGS: tuple[str, ...] = ("good", "acceptable", "poor")
AUDIENCES: tuple[str, ...] = ("all", "managers")
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "vertrouwenspersoon_contact",
        "mior_contact",
        "bedrijfsmaatschappelijk_werk_contact",
        "hr_contact",
        "intranet_meldpagina",
        "organisatie_naam",
    }
)
MODULE_KEYS: tuple[str, ...] = (
    "title",
    "summary",
    "audience",
    "estimated_minutes",
    "pass_mark",
    "languages",
    "lessons",
    "assessment",
)
TRANSLATION_KEYS: tuple[str, ...] = ("title", "summary")
LESSON_KEYS: tuple[str, ...] = ("warning", "summary")
ASSESSMENT_KEYS: tuple[str, ...] = ("shuffle_options", "pools")

_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SCRIPT = re.compile(r"<\s*script\b", re.IGNORECASE)
_RAW_TAG = re.compile(r"<\s*(iframe|form)\b", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[A-Za-z][\w-]*(?=[\s/])[^>]*?[\s\"'/](on[a-z]+)\s*=", re.IGNORECASE)
_JAVASCRIPT = re.compile(r"(?:\]\(|\]:|=|<|\()\s*[\"']?\s*javascript\s*:", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]*)>?(?:\s+[\"'][^)]*)?\)")
_MD_REF_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\[[^\]]*\]")
_HTML_IMG = re.compile(r"<\s*img\b[^>]*>", re.IGNORECASE)
_HTML_ALT = re.compile(r"\balt\s*=\s*(?:\"\s*[^\"\s][^\"]*\"|'\s*[^'\s][^']*'|[^\s\"'>]+)", re.IGNORECASE)
_HTML_SRC = re.compile(r"\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))", re.IGNORECASE)


# ------------------------------------------------------------------------------------------ helpers


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest known word, if one is close enough to be a likely typo."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_key_message(what: str, key: str, allowed: Iterable[str]) -> str:
    """`unknown key 'x' in front matter; did you mean 'y'?` (or the list of allowed keys)."""
    allowed = tuple(allowed)
    if not allowed:
        return f"unknown {what}: it takes no options"
    suggestion = did_you_mean(key, allowed)
    if suggestion:
        return f"unknown {what}; did you mean '{suggestion}'?"
    return f"unknown {what}; allowed: {', '.join(allowed)}"


def slugify(text: str) -> str:
    """A valid id made from arbitrary text (used to suggest a fix)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def invalid_id_message(what: str, value: str) -> str:
    suggestion = slugify(value)
    example = suggestion if suggestion and suggestion != value else "herkennen-grap"
    return f"{what} is not valid: use lowercase letters, digits and hyphens, e.g. '{example}'"


def _type_name(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


# -------------------------------------------------------------------------------------- front matter


@dataclass
class ModuleMeta:
    """The usable values of module.md's front matter (defaults where a value was missing or wrong)."""

    title: str = ""
    summary: str = ""
    audience: str = "all"
    estimated_minutes: int = 0
    pass_mark: int | None = None
    languages: tuple[str, ...] = ("nl",)
    languages_given: bool = False
    lessons: list[tuple[str, int]] = field(default_factory=list)
    lessons_given: bool = False
    front_ok: bool = False
    pass_mark_given: bool = False
    has_assessment: bool = False
    assessment_line: int = 1
    shuffle_options: bool = False
    pools: dict[str, int] = field(default_factory=dict)
    pool_lines: dict[str, int] = field(default_factory=dict)


def check_unknown_keys(front: FrontMatter, allowed: tuple[str, ...], path: str, report: Report) -> None:
    for key in front.data:
        key_text = str(key)
        if key_text not in allowed:
            message = unknown_key_message(f"key '{key_text}' in front matter", key_text, allowed)
            report.error(path, front.line_of(key_text), message)


def _required_text(front: FrontMatter, key: str, path: str, report: Report) -> str:
    data = front.data
    if key not in data or data[key] is None:
        report.error(path, 1, f"missing required key '{key}' in front matter")
        return ""
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        report.error(
            path,
            front.line_of(key),
            f"'{key}' must be text, not {_type_name(value)}"
            if not isinstance(value, str)
            else f"'{key}' must not be empty",
        )
        return ""
    return value.strip()


def check_lesson_front(front: FrontMatter, path: str, report: Report) -> tuple[str | None, str | None]:
    """A lesson's optional front matter: a content warning, and the summary learners may read instead."""
    if not front.present or not front.ok:
        return None, None
    check_unknown_keys(front, LESSON_KEYS, path, report)
    warning = _required_text(front, "warning", path, report) if "warning" in front.data else None
    summary = _required_text(front, "summary", path, report) if "summary" in front.data else None
    if warning and not summary:
        report.error(
            path,
            front.line_of("warning"),
            "a lesson with a 'warning' needs a 'summary' too: learners who would rather not read the lesson "
            "read the summary instead",
        )
    return warning or None, summary or None


def check_translation_front(front: FrontMatter, path: str, report: Report) -> tuple[str, str]:
    """module.<lang>.md: only title and summary."""
    if not front.present:
        report.error(
            path,
            1,
            "front matter with 'title' and 'summary' is missing: start the file with ---, those two keys, and ---",
        )
        return "", ""
    if not front.ok:
        return "", ""
    check_unknown_keys(front, TRANSLATION_KEYS, path, report)
    return _required_text(front, "title", path, report), _required_text(front, "summary", path, report)


def check_module_front(front: FrontMatter, path: str, report: Report) -> ModuleMeta:
    """module.md: every key, its type and its range."""
    meta = ModuleMeta()
    if not front.present:
        report.error(
            path,
            1,
            "module.md must start with front matter: a line ---, the keys (title, summary, "
            "estimated_minutes, ...), and a line ---",
        )
        return meta
    if not front.ok:
        return meta
    meta.front_ok = True
    data = front.data
    check_unknown_keys(front, MODULE_KEYS, path, report)
    meta.title = _required_text(front, "title", path, report)
    meta.summary = _required_text(front, "summary", path, report)

    audience = data.get("audience", "all")
    if audience in AUDIENCES:
        meta.audience = audience
    else:
        report.error(
            path,
            front.line_of("audience"),
            f"'audience' must be 'all' or 'managers', not {_type_name(audience)}",
        )

    if "estimated_minutes" not in data:
        report.error(path, 1, "missing required key 'estimated_minutes' in front matter")
    else:
        minutes = data["estimated_minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
            report.error(
                path,
                front.line_of("estimated_minutes"),
                f"'estimated_minutes' must be a whole number of minutes, not {_type_name(minutes)}",
            )
        else:
            meta.estimated_minutes = minutes

    if "pass_mark" in data:
        meta.pass_mark_given = True
        mark = data["pass_mark"]
        if not isinstance(mark, int) or isinstance(mark, bool) or not 1 <= mark <= 100:
            report.error(
                path,
                front.line_of("pass_mark"),
                f"'pass_mark' must be a whole number from 1 to 100 (a percentage), not {_type_name(mark)}",
            )
        else:
            meta.pass_mark = mark

    _check_languages(front, path, report, meta)
    _check_lessons(front, path, report, meta)
    _check_assessment(front, path, report, meta)
    return meta


def _check_languages(front: FrontMatter, path: str, report: Report, meta: ModuleMeta) -> None:
    if "languages" not in front.data:
        return
    value = front.data["languages"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        report.error(path, front.line_of("languages"), "'languages' must be a list of language codes, e.g. [nl, en]")
        return
    languages: list[str] = []
    for i, lang in enumerate(value):
        if not isinstance(lang, str) or not LANG_RE.match(lang):
            report.error(
                path,
                front.line_of("languages", i),
                f"language code {_type_name(lang)} is not valid: use two lowercase letters, e.g. 'nl'",
            )
        elif lang in languages:
            report.error(path, front.line_of("languages", i), f"language '{lang}' is listed twice")
        else:
            languages.append(lang)
    if languages:
        meta.languages, meta.languages_given = tuple(languages), True


def _check_lessons(front: FrontMatter, path: str, report: Report, meta: ModuleMeta) -> None:
    if "lessons" not in front.data:
        return
    value = front.data["lessons"]
    if value is None:
        value = []
    if not isinstance(value, list):
        report.error(
            path,
            front.line_of("lessons"),
            "'lessons' must be a list of lesson slugs, one per line starting with '- '",
        )
        return
    meta.lessons_given = True
    seen: set[str] = set()
    for i, slug in enumerate(value):
        line = front.line_of("lessons", i)
        if not isinstance(slug, str) or not ID_RE.match(slug):
            text = str(slug)
            report.error(path, line, invalid_id_message(f"lesson slug {_type_name(slug)}", text))
        elif slug in seen:
            report.error(path, line, f"lesson '{slug}' is listed twice")
        else:
            seen.add(slug)
            meta.lessons.append((slug, line))


def _check_assessment(front: FrontMatter, path: str, report: Report, meta: ModuleMeta) -> None:
    if "assessment" not in front.data:
        return
    meta.has_assessment = True
    meta.assessment_line = front.line_of("assessment")
    value = front.data["assessment"]
    if value is None:
        value = {}
    if not isinstance(value, dict):
        report.error(
            path,
            meta.assessment_line,
            "'assessment' must contain 'key: value' lines (shuffle_options, pools)",
        )
        return
    for key in value:
        if str(key) not in ASSESSMENT_KEYS:
            message = unknown_key_message(f"key '{key}' under 'assessment'", str(key), ASSESSMENT_KEYS)
            report.error(path, front.line_of("assessment", str(key)), message)
    shuffle = value.get("shuffle_options", False)
    if isinstance(shuffle, bool):
        meta.shuffle_options = shuffle
    else:
        report.error(
            path,
            front.line_of("assessment", "shuffle_options"),
            f"'shuffle_options' must be true or false, not {_type_name(shuffle)}",
        )
    pools = value.get("pools") or {}
    if not isinstance(pools, dict):
        report.error(
            path,
            front.line_of("assessment", "pools"),
            "'pools' must be lines 'pool-name: number of questions to draw'",
        )
        return
    for name, count in pools.items():
        line = front.line_of("assessment", "pools", str(name))
        if not isinstance(name, str) or not ID_RE.match(name):
            report.error(path, line, invalid_id_message(f"pool name {_type_name(name)}", str(name)))
        elif not isinstance(count, int) or isinstance(count, bool) or count < 1:
            report.error(
                path,
                line,
                f"pool '{name}' must ask a whole number of questions (1 or more), not {_type_name(count)}",
            )
        else:
            meta.pools[name] = count
            meta.pool_lines[name] = line


# ------------------------------------------------------------------------------------------- scenarios


def check_scenario_graph(
    scenario: Scenario, line: int, lines: Mapping[tuple[str, ...], int], path: str, report: Report
) -> None:
    """Targets exist, every scene is reachable, there is an ending and it can be reached from every scene."""
    name = f"scenario '{scenario.id}'"
    scene_ids = [s.id for s in scenario.scenes]
    ids = set(scene_ids)
    start_ok = scenario.start in ids
    if not start_ok:
        suggestion = did_you_mean(scenario.start, scene_ids)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        report.error(
            path,
            lines.get(("start",), line),
            f"start scene '{scenario.start}' of {name} does not exist{hint}",
        )
    for scene in scenario.scenes:
        scene_line = lines.get(("scene", scene.id), line)
        where = f"scene '{scene.id}' of {name}"
        for choice in scene.choices:
            if choice.target and choice.target not in ids:
                suggestion = did_you_mean(choice.target, scene_ids)
                hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                report.error(
                    path,
                    lines.get(("choice", scene.id, choice.id), scene_line),
                    f"choice ({choice.id}) in {where} leads to '{choice.target}', which is not a "
                    f"scene of this scenario{hint}",
                )
        if scene.ending and scene.choices:
            report.error(path, scene_line, f"{where} is an ending but has choices: an ending has no choices")
        if not scene.ending and not scene.choices:
            report.error(
                path,
                scene_line,
                f"{where} has no choices and is not an ending: add choices or 'ending: good', 'acceptable' or 'poor'",
            )
    edges = {s.id: [c.target for c in s.choices if c.target in ids] for s in scenario.scenes}
    if start_ok:
        reachable = {scenario.start}
        todo = [scenario.start]
        while todo:
            for target in edges[todo.pop()]:
                if target not in reachable:
                    reachable.add(target)
                    todo.append(target)
        for scene in scenario.scenes:
            if scene.id not in reachable:
                report.error(
                    path,
                    lines.get(("scene", scene.id), line),
                    f"scene '{scene.id}' of {name} cannot be reached from the start scene '{scenario.start}'",
                )
    endings = {s.id for s in scenario.scenes if s.ending}
    if not endings:
        report.error(
            path,
            line,
            f"{name} has no ending: mark at least one scene with 'ending: good', 'acceptable' or 'poor'",
        )
        return
    can_end = set(endings)
    changed = True
    while changed:
        changed = False
        for scene_id, targets in edges.items():
            if scene_id not in can_end and any(t in can_end for t in targets):
                can_end.add(scene_id)
                changed = True
    for scene in scenario.scenes:
        if scene.id not in can_end and scene.choices:
            report.error(
                path,
                lines.get(("scene", scene.id), line),
                f"no ending can be reached from scene '{scene.id}' of {name}: its choices only loop back",
            )


# ----------------------------------------------------------------------------------------- source text


def _mask_code(text: str) -> str:
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def check_source(lines: Iterable[Line], path: str, report: Report, module_dir: Path | None = None) -> set[str]:
    """Forbidden HTML, unknown placeholders and images (alt text, file present) in the SOURCE text.

    Fenced code and inline code are skipped. Returns the known placeholder names used.
    """
    used: set[str] = set()
    for line in lines:
        if line.code:
            continue
        text = _mask_code(line.text)
        if "<" in text or ":" in text:
            _check_forbidden(text, line.no, path, report)
        if "{" in text:
            for m in _PLACEHOLDER.finditer(text):
                name = m.group(1)
                if name in PLACEHOLDERS:
                    used.add(name)
                    continue
                suggestion = did_you_mean(name.lower(), sorted(PLACEHOLDERS))
                hint = (
                    f"; did you mean {{{suggestion}}}?"
                    if suggestion
                    else f"; known placeholders: {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}"
                )
                report.error(path, line.no, f"unknown placeholder {{{name}}}{hint}")
        if "!" in text or "<" in text:
            _check_images(text, line.no, path, report, module_dir)
    return used


def _check_forbidden(text: str, no: int, path: str, report: Report) -> None:
    if _SCRIPT.search(text):
        report.error(path, no, "raw HTML <script> is not allowed")
    for m in _RAW_TAG.finditer(text):
        report.error(path, no, f"raw HTML <{m.group(1).lower()}> is not allowed")
    for m in _EVENT_HANDLER.finditer(text):
        report.error(path, no, f"event handler attribute '{m.group(1).lower()}' is not allowed")
    if _JAVASCRIPT.search(text):
        report.error(path, no, "'javascript:' links are not allowed")


def _check_images(text: str, no: int, path: str, report: Report, module_dir: Path | None) -> None:
    sources: list[str] = []
    for m in _MD_IMAGE.finditer(text):
        src = m.group("src")
        if not m.group("alt").strip():
            report.error(
                path,
                no,
                f"image '{src}' has no alt text: describe it between the brackets, "
                f"e.g. ![Two colleagues talking]({src})",
            )
        sources.append(src)
    for m in _MD_REF_IMAGE.finditer(text):
        if not m.group("alt").strip():
            report.error(path, no, "image has no alt text: describe it between the brackets ![...]")
    for m in _HTML_IMG.finditer(text):
        src_m = _HTML_SRC.search(m.group(0))
        src = next((g for g in src_m.groups() if g is not None), "") if src_m else ""
        if not _HTML_ALT.search(m.group(0)):
            report.error(path, no, f"image '{src}' has no alt text: add alt=\"what the image shows\"")
        if src:
            sources.append(src)
    if module_dir is None:
        return
    for src in sources:
        _check_image_file(src, no, path, report, module_dir)


def _check_image_file(src: str, no: int, path: str, report: Report, module_dir: Path) -> None:
    if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "#", "{")):
        return
    clean = src.split("#", 1)[0].split("?", 1)[0]
    if not clean.startswith("media/") or ".." in clean.split("/"):
        report.error(
            path,
            no,
            f"image '{src}' must be in the module's media/ folder: write media/{clean.rsplit('/', 1)[-1]}",
        )
        return
    if not (module_dir / clean).is_file():
        report.error(path, no, f"image '{src}' does not exist: put the file in the module's media/ folder")


# ------------------------------------------------------------------------------------ module-wide rules


def check_unique_ids(files: Iterable[ParsedFile], report: Report) -> None:
    """Block ids are unique across the whole module (checked per language)."""
    first: dict[str, tuple[BlockInfo, str]] = {}
    for parsed in files:
        for info in parsed.blocks:
            if info.id in first:
                other, other_path = first[info.id]
                where = other_path.rsplit("/", 1)[-1]
                report.error(
                    parsed.path,
                    info.line,
                    f"id '{info.id}' is already used by the {other.kind} in "
                    f"{where}:{other.line}; ids must be unique in the module",
                )
            else:
                first[info.id] = (info, parsed.path)


def _ids(items: Iterable[str]) -> str:
    return ", ".join(items) or "none"


def compare_structure(base: ParsedFile, other: ParsedFile, report: Report) -> None:
    """The other language must have the same blocks, options, correct answers, scenes, targets and endings."""
    base_name = base.path.rsplit("/", 1)[-1]
    here = {info.id: info for info in other.blocks}
    there = {info.id: info for info in base.blocks}
    for bid, info in there.items():
        if bid not in here:
            report.error(
                other.path,
                other.title_line or other.body_start,
                f"{info.kind} '{bid}' of {base_name} is missing here",
            )
    for bid, info in here.items():
        if bid not in there:
            report.error(
                other.path,
                info.line,
                f"{info.kind} '{bid}' is not in {base_name}; every language must have the same blocks",
            )
            continue
        ref = there[bid]
        if ref.kind != info.kind:
            report.error(other.path, info.line, f"'{bid}' is a {ref.kind} in {base_name} but a {info.kind} here")
        elif isinstance(info.value, Question) and isinstance(ref.value, Question):
            _compare_question(info, ref, base_name, other.path, report)
        elif isinstance(info.value, Scenario) and isinstance(ref.value, Scenario):
            _compare_scenario(info, ref, base_name, other.path, report)
        elif isinstance(info.value, Reflection):
            pass


def _compare_question(info: BlockInfo, ref: BlockInfo, base_name: str, path: str, report: Report) -> None:
    q, r = info.value, ref.value
    if not isinstance(q, Question) or not isinstance(r, Question):
        raise TypeError("questions are compared with questions")
    name = f"question '{q.id}'"
    mine, theirs = [o.id for o in q.options], [o.id for o in r.options]
    if mine != theirs:
        report.error(path, info.line, f"{name} has options ({_ids(mine)}) but in {base_name} ({_ids(theirs)})")
    elif q.correct_ids != r.correct_ids:
        report.error(
            path,
            info.line,
            f"{name} has correct options ({_ids(sorted(q.correct_ids))}) but in "
            f"{base_name} ({_ids(sorted(r.correct_ids))})",
        )
    if q.multiple != r.multiple:
        word = "multiple" if q.multiple else "single"
        report.error(path, info.line, f"{name} is {word} choice here but not in {base_name}")
    if q.pool != r.pool:
        report.error(
            path,
            info.line,
            f"{name} is in pool '{q.pool or 'none'}' here but in pool '{r.pool or 'none'}' in {base_name}",
        )


def _compare_scenario(info: BlockInfo, ref: BlockInfo, base_name: str, path: str, report: Report) -> None:
    s, r = info.value, ref.value
    if not isinstance(s, Scenario) or not isinstance(r, Scenario):
        raise TypeError("scenarios are compared with scenarios")
    name = f"scenario '{s.id}'"
    if s.start != r.start:
        report.error(
            path,
            info.lines.get(("start",), info.line),
            f"{name} starts at '{s.start}' here but at '{r.start}' in {base_name}",
        )
    if (s.warning_html is None) != (r.warning_html is None):
        here, there = ("a", "no") if s.warning_html else ("no", "a")
        report.error(
            path,
            info.line,
            f"{name} has {here} 'warning' here but {there} 'warning' in {base_name}: give it in every language",
        )
    mine, theirs = [x.id for x in s.scenes], [x.id for x in r.scenes]
    if sorted(mine) != sorted(theirs):
        report.error(path, info.line, f"{name} has scenes ({_ids(mine)}) but in {base_name} ({_ids(theirs)})")
    for scene in s.scenes:
        other = r.scene(scene.id)
        if other is None:
            continue
        line = info.lines.get(("scene", scene.id), info.line)
        where = f"scene '{scene.id}' of {name}"
        if scene.ending != other.ending:
            report.error(
                path,
                line,
                f"{where} has ending '{scene.ending or 'none'}' here but '{other.ending or 'none'}' in {base_name}",
            )
        my_choices, their_choices = [c.id for c in scene.choices], [c.id for c in other.choices]
        if my_choices != their_choices:
            report.error(
                path,
                line,
                f"{where} has choices ({_ids(my_choices)}) but in {base_name} ({_ids(their_choices)})",
            )
            continue
        for choice in scene.choices:
            theirs_choice = other.choice(choice.id)
            if theirs_choice is None:
                raise RuntimeError("a choice of the other language is missing")
            choice_line = info.lines.get(("choice", scene.id, choice.id), line)
            if choice.target != theirs_choice.target:
                report.error(
                    path,
                    choice_line,
                    f"choice ({choice.id}) in {where} leads to '{choice.target}' "
                    f"here but to '{theirs_choice.target}' in {base_name}",
                )
            if choice.tag != theirs_choice.tag:
                report.error(
                    path,
                    choice_line,
                    f"choice ({choice.id}) in {where} has tag "
                    f"'{choice.tag or 'none'}' here but '{theirs_choice.tag or 'none'}' "
                    f"in {base_name}",
                )
