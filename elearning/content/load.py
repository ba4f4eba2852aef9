"""content/modules/ -> Catalog: read every module once, validate it, render it, and never raise for
content problems in `load_catalog` (a broken module is left out and its problems are listed)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import (
    EFFECT_SETS,
    Assessment,
    AssessmentText,
    Catalog,
    ContentError,
    ContentErrors,
    Effect,
    EffectSet,
    Lesson,
    LessonText,
    Module,
    ModuleText,
    Question,
)
from .parse import FileKind, parse_file, read_lines, split_front_matter
from .parsed import Line, ParsedFile, Report
from .plain import CATEGORY as PLAIN_LANGUAGE
from .plain import check_plain_language
from .render import Renderer
from .validate import (
    ID_RE,
    LANG_RE,
    ModuleMeta,
    check_lesson_front,
    check_module_front,
    check_source,
    check_translation_front,
    check_unique_ids,
    compare_structure,
    did_you_mean,
    invalid_id_message,
)

log = logging.getLogger(__name__)

_LESSON_FILE = re.compile(r"^(?P<slug>[^.]+)\.(?P<lang>[^.]+)\.md$")
MEDIA_DIR = "media"


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.endswith("~")


def _walk(directory: Path) -> list[Path]:
    """Every non-hidden file under `directory` (hidden files and editor backups are not content)."""
    found: list[Path] = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        found.extend(Path(current, name) for name in files if not _hidden(name))
    return found


def module_version(module_dir: Path) -> str:
    """First 12 hex chars of sha256 over the module's files (relative path + bytes, sorted by path)."""
    digest = hashlib.sha256()
    for rel, path in sorted((p.relative_to(module_dir).as_posix(), p) for p in _walk(module_dir)):
        data = path.read_bytes()
        digest.update(rel.encode("utf-8") + b"\0" + str(len(data)).encode("ascii") + b"\0" + data)
    return digest.hexdigest()[:12]


def source_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap fingerprint of the content tree: sorted (relative path, mtime_ns, size) of every file."""
    root = Path(root)
    if not root.is_dir():
        return ()
    stamp: list[tuple[str, int, int]] = []
    for path in _walk(root):
        try:
            st = path.stat()
        except OSError:  # deleted while we looked
            continue
        stamp.append((path.relative_to(root).as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(sorted(stamp))


@dataclass
class _Files:
    """The files of one module folder, sorted by role."""

    translations: dict[str, Path] = field(default_factory=dict)
    assessments: dict[str, Path] = field(default_factory=dict)
    effects: dict[str, Path] = field(default_factory=dict)
    lessons: dict[tuple[str, str], Path] = field(default_factory=dict)


class _ModuleBuilder:
    def __init__(self, module_dir: Path, root: Path) -> None:
        self.dir = module_dir
        self.root = root
        self.slug = module_dir.name
        try:
            self.prefix = module_dir.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            self.prefix = self.slug
        self.report = Report()
        self.renderers: dict[str, Renderer] = {}
        self.placeholders: set[str] = set()
        self.module_path = self.rel(module_dir / "module.md")

    def rel(self, path: Path) -> str:
        return f"{self.prefix}/{path.relative_to(self.dir).as_posix()}"

    def renderer(self, lang: str) -> Renderer:
        if lang not in self.renderers:
            self.renderers[lang] = Renderer(lang)
        return self.renderers[lang]

    def read(self, path: Path) -> list[Line] | None:
        rel = self.rel(path)
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.report.error(rel, line, "file is not valid UTF-8 text: save it with UTF-8 encoding")
            return None
        lines = read_lines(text)
        self.placeholders |= check_source(lines, rel, self.report, self.dir)
        return lines

    def parse(self, path: Path, kind: FileKind, lang: str) -> ParsedFile | None:
        lines = self.read(path)
        if lines is None:
            return None
        parsed = parse_file("", self.rel(path), kind, self.renderer(lang), self.report, lines)
        if kind == "lesson" and lang == "nl":
            _front, body = split_front_matter(lines, parsed.path, Report())
            for finding in check_plain_language((line.no, line.text, line.code) for line in body):
                self.report.warning(parsed.path, finding.line, finding.message, PLAIN_LANGUAGE)
        return parsed

    # ------------------------------------------------------------------------------------------

    def build(self) -> Module | None:
        if not ID_RE.match(self.slug):
            self.report.error(self.module_path, 1, invalid_id_message(f"module folder name '{self.slug}'", self.slug))
        if not (self.dir / "module.md").is_file():
            self.report.error(
                self.module_path,
                1,
                "module.md is missing: every module folder needs one, with "
                "the front matter (title, summary, estimated_minutes, ...)",
            )
            return None
        lines = self.read(self.dir / "module.md")
        if lines is None:
            return None
        # Errors of the YAML itself are reported once, by parse_file below; the schema is checked here.
        front, _body = split_front_matter(lines, self.module_path, Report())
        meta = check_module_front(front, self.module_path, self.report)
        if not meta.front_ok:
            meta.languages = self.guess_languages()
        files = self.classify(meta)
        default = meta.languages[0]

        intro = parse_file("", self.module_path, "intro", self.renderer(default), self.report, lines)
        front = intro.front
        texts = {default: ModuleText(meta.title, meta.summary, intro.intro_html)}
        languages_line = front.line_of("languages")
        for lang in meta.languages[1:]:
            path = files.translations.get(lang)
            if path is None:
                self.report.error(
                    self.module_path,
                    languages_line,
                    f"module.{lang}.md is missing: every language "
                    f"in 'languages' needs one (title, summary "
                    f"and introduction)",
                )
                continue
            parsed = self.parse(path, "intro", lang)
            if parsed is not None:
                title, summary = check_translation_front(parsed.front, parsed.path, self.report)
                texts[lang] = ModuleText(title, summary, parsed.intro_html)

        lessons = self.lessons(meta, files)
        assessment = self.assessment(meta, files)
        effect = self.effect(meta, files)
        for files_of_lang in self._by_lang.values():
            check_unique_ids(files_of_lang, self.report)
        if meta.pass_mark is not None and not meta.has_assessment:
            self.report.warning(
                self.module_path,
                front.line_of("pass_mark"),
                "'pass_mark' is set but the module has no assessment",
            )
        return Module(
            slug=self.slug,
            version=module_version(self.dir),
            audience=meta.audience,  # type: ignore[arg-type]
            estimated_minutes=meta.estimated_minutes,
            languages=meta.languages,
            texts=texts,
            lessons=lessons,
            pass_mark=meta.pass_mark,
            assessment=assessment,
            placeholders=frozenset(self.placeholders),
            effect=effect,
        )

    def classify(self, meta: ModuleMeta) -> _Files:
        files = _Files()
        default = meta.languages[0]
        for path in sorted(self.dir.iterdir()):
            name = path.name
            if _hidden(name) or name == "module.md":
                continue
            rel = self.rel(path)
            if path.is_dir():
                if name != MEDIA_DIR:
                    self.report.warning(rel, 1, f"folder '{name}' is ignored: images go in {MEDIA_DIR}/")
                continue
            m = _LESSON_FILE.match(name)
            if m is None:
                self.report.warning(
                    rel,
                    1,
                    f"file '{name}' is ignored: a lesson file is named "
                    f"<lesson-slug>.<language>.md, e.g. 01-gronden.nl.md",
                )
                continue
            stem, lang = m.group("slug"), m.group("lang")
            if not LANG_RE.match(lang) or lang not in meta.languages:
                self.report.warning(
                    rel,
                    1,
                    f"file '{name}' is ignored: '{lang}' is not in 'languages' of "
                    f"module.md ({', '.join(meta.languages)})",
                )
            elif stem == "module":
                if lang == default:
                    self.report.warning(rel, 1, f"file '{name}' is ignored: the {default} text is in module.md")
                else:
                    files.translations[lang] = path
            elif stem == "assessment":
                files.assessments[lang] = path
            elif stem == "effect":
                files.effects[lang] = path
            else:
                files.lessons[(stem, lang)] = path
        return files

    def lessons(self, meta: ModuleMeta, files: _Files) -> tuple[Lesson, ...]:
        default = meta.languages[0]
        listed = {slug for slug, _line in meta.lessons}
        order: list[tuple[str, int]] = meta.lessons
        if not meta.front_ok:
            order = sorted({(stem, 1) for stem, _lang in files.lessons})
        elif meta.lessons_given:
            for (stem, _lang), path in sorted(files.lessons.items()):
                if stem not in listed:
                    suggestion = did_you_mean(stem, sorted(listed))
                    hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
                    self.report.warning(
                        self.rel(path),
                        1,
                        f"lesson '{stem}' is not listed under 'lessons' in module.md{hint}, so it is not shown",
                    )
        else:
            order = sorted({(stem, 1) for stem, _lang in files.lessons})
            if order:
                self.report.warning(
                    self.module_path,
                    1,
                    "module.md has no 'lessons' list: the lessons are shown "
                    "in file name order; add 'lessons:' to fix the order",
                )
        if not order and not meta.has_assessment:
            self.report.warning(self.module_path, 1, "the module has no lessons")
        lessons: list[Lesson] = []
        by_lang: dict[str, list[ParsedFile]] = {lang: [] for lang in meta.languages}
        for slug, line in order:
            texts: dict[str, LessonText] = {}
            parsed_by_lang: dict[str, ParsedFile] = {}
            for lang in meta.languages:
                lesson_path = files.lessons.get((slug, lang))
                if lesson_path is None:
                    self.report.error(
                        self.module_path,
                        line,
                        f"lesson '{slug}' is listed in module.md but {slug}.{lang}.md does not exist",
                    )
                    continue
                parsed = self.parse(lesson_path, "lesson", lang)
                if parsed is None:
                    continue
                parsed_by_lang[lang] = parsed
                by_lang[lang].append(parsed)
                warning, summary = check_lesson_front(parsed.front, parsed.path, self.report)
                renderer = self.renderer(lang)
                texts[lang] = LessonText(
                    parsed.title or slug,
                    parsed.parts,
                    source=parsed.path,
                    warning_html=renderer.inline(warning) if warning else None,
                    summary_html=renderer.document(summary) if summary else None,
                )
            self.compare(parsed_by_lang, default)
            self.compare_warnings(slug, texts, parsed_by_lang, default)
            lessons.append(Lesson(slug, texts, default_language=default))
        self._by_lang = by_lang
        return tuple(lessons)

    def compare_warnings(
        self, slug: str, texts: dict[str, LessonText], parsed_by_lang: dict[str, ParsedFile], default: str
    ) -> None:
        """A content warning in one language must be in every language: the learner may read either."""
        base = texts.get(default)
        if base is None:
            return
        for lang, text in texts.items():
            if lang != default and (text.warning_html is None) != (base.warning_html is None):
                has, lacks = (default, lang) if base.warning_html else (lang, default)
                self.report.error(
                    parsed_by_lang[lacks].path,
                    1,
                    f"lesson '{slug}' has a 'warning' in {has} but not in {lacks}: give it in every language",
                )

    def compare(self, parsed_by_lang: dict[str, ParsedFile], default: str) -> None:
        base = parsed_by_lang.get(default)
        if base is None or not base.sound:
            return
        for lang, parsed in parsed_by_lang.items():
            if lang != default and parsed.sound:
                compare_structure(base, parsed, self.report)

    def assessment(self, meta: ModuleMeta, files: _Files) -> Assessment | None:
        default = meta.languages[0]
        by_lang = self._by_lang
        if not meta.has_assessment:
            if meta.front_ok:
                for lang, path in sorted(files.assessments.items()):
                    self.report.error(
                        self.rel(path),
                        1,
                        f"assessment.{lang}.md exists but module.md has no "
                        f"'assessment' section: add 'assessment:' and "
                        f"'pass_mark'",
                    )
            return None
        if not meta.pass_mark_given:
            self.report.error(
                self.module_path,
                1,
                "missing required key 'pass_mark' in front matter: a module with an assessment needs a pass mark",
            )
        texts: dict[str, AssessmentText] = {}
        parsed_by_lang: dict[str, ParsedFile] = {}
        for lang in meta.languages:
            assessment_path = files.assessments.get(lang)
            if assessment_path is None:
                self.report.error(
                    self.module_path,
                    meta.assessment_line,
                    f"module.md has an 'assessment' section but assessment.{lang}.md does not exist",
                )
                continue
            parsed = self.parse(assessment_path, "assessment", lang)
            if parsed is None:
                continue
            parsed_by_lang[lang] = parsed
            by_lang[lang].append(parsed)
            questions = tuple(info.value for info in parsed.blocks if isinstance(info.value, Question))
            if not questions and parsed.sound:
                self.report.error(
                    parsed.path,
                    parsed.body_start,
                    f"assessment.{lang}.md has no questions: add '/// question | id' blocks",
                )
            texts[lang] = AssessmentText(parsed.intro_html, questions)
        self.compare(parsed_by_lang, default)
        base = parsed_by_lang.get(default)
        if base is not None:
            self.check_pools(meta, base)
        return Assessment(texts, dict(meta.pools), meta.shuffle_options, default_language=default)

    def effect(self, meta: ModuleMeta, files: _Files) -> Effect | None:
        """effect.<lang>.md: the question sets of the effect measurement, alike in every language."""
        if not files.effects:
            return None
        default = meta.languages[0]
        texts: dict[str, dict[str, EffectSet]] = {}
        parsed_by_lang: dict[str, ParsedFile] = {}
        for lang in meta.languages:
            path = files.effects.get(lang)
            if path is None:
                present = sorted(files.effects)[0]
                self.report.error(
                    self.rel(files.effects[present]),
                    1,
                    f"effect.{present}.md exists but effect.{lang}.md does not: every language in 'languages' "
                    f"needs the same question sets",
                )
                continue
            parsed = self.parse(path, "effect", lang)
            if parsed is None:
                continue
            parsed_by_lang[lang] = parsed
            sets: dict[str, EffectSet] = {}
            for info in parsed.blocks:
                value = info.value
                if not isinstance(value, EffectSet):
                    continue
                if value.name in sets:
                    self.report.error(
                        parsed.path,
                        info.line,
                        f"effect set '{value.name}' appears twice in effect.{lang}.md:{sets[value.name].line}",
                    )
                    continue
                sets[value.name] = value
            if not sets and parsed.sound:
                self.report.error(
                    parsed.path,
                    parsed.body_start,
                    f"effect.{lang}.md has no question sets: add '/// effect | pre', 'post' or 'follow-up' blocks",
                )
            texts[lang] = sets
        base = texts.get(default)
        if base is None:
            return None
        base_path = parsed_by_lang[default].path
        for lang, sets in texts.items():
            if lang != default:
                self.compare_effect(base, sets, base_path.rsplit("/", 1)[-1], parsed_by_lang[lang])
        self.check_effect_items(base, base_path)
        if not base:
            return None
        intros = {lang: parsed.intro_html for lang, parsed in parsed_by_lang.items()}
        return Effect({lang: sets for lang, sets in texts.items() if sets}, default_language=default, intros=intros)

    def compare_effect(
        self, base: dict[str, EffectSet], other: dict[str, EffectSet], base_name: str, parsed: ParsedFile
    ) -> None:
        """Every language asks the same sets with the same statement ids and the same follow-up delay."""
        for name in EFFECT_SETS:
            mine, theirs = other.get(name), base.get(name)
            if mine is None and theirs is None:
                continue
            if mine is None or theirs is None:
                line = mine.line if mine else parsed.body_start
                where = "here but not" if mine else "not here but"
                self.report.error(parsed.path, line, f"effect set '{name}' is {where} in {base_name}")
                continue
            ids, base_ids = [i.id for i in mine.items], [i.id for i in theirs.items]
            if ids != base_ids:
                self.report.error(
                    parsed.path,
                    mine.line,
                    f"effect set '{name}' has statements ({', '.join(ids) or 'none'}) but in {base_name} "
                    f"({', '.join(base_ids) or 'none'})",
                )
            if mine.after_days != theirs.after_days:
                self.report.error(
                    parsed.path,
                    mine.line,
                    f"effect set '{name}' has after_days {mine.after_days or 'not set'} here but "
                    f"{theirs.after_days or 'not set'} in {base_name}",
                )

    def check_effect_items(self, sets: dict[str, EffectSet], path: str) -> None:
        """A statement after the module that was not asked before it gives no change to show: warn."""
        pre = sets.get("pre")
        if pre is None:
            return
        asked = {item.id for item in pre.items}
        for name in ("post", "follow-up"):
            later = sets.get(name)
            if later is None:
                continue
            for item in later.items:
                if item.id not in asked:
                    self.report.warning(
                        path,
                        later.line,
                        f"statement ({item.id}) of effect set '{name}' is not in the pre set: no change can be shown "
                        f"for it",
                    )

    def guess_languages(self) -> tuple[str, ...]:
        """When module.md's front matter is unreadable: Dutch first, then every language a file uses."""
        found = {m.group("lang") for p in self.dir.iterdir() if (m := _LESSON_FILE.match(p.name))}
        return ("nl", *sorted(lang for lang in found if LANG_RE.match(lang) and lang != "nl"))

    def check_pools(self, meta: ModuleMeta, base: ParsedFile) -> None:
        members: dict[str, int] = {}
        for info in base.blocks:
            question = info.value
            if not isinstance(question, Question) or question.pool is None:
                continue
            if question.pool not in meta.pools:
                if question.pool in meta.pool_lines or not ID_RE.match(question.pool):
                    continue
                suggestion = did_you_mean(question.pool, sorted(meta.pools))
                hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                self.report.error(
                    base.path,
                    info.line,
                    f"question '{question.id}' is in pool '{question.pool}', "
                    f"which is not listed under 'assessment: pools' in "
                    f"module.md{hint}",
                )
                continue
            members[question.pool] = members.get(question.pool, 0) + 1
        for pool, count in meta.pools.items():
            have = members.get(pool, 0)
            if count > have:
                self.report.error(
                    self.module_path,
                    meta.pool_lines[pool],
                    f"pool '{pool}' asks {count} question{'s' if count != 1 else ''} but has only {have}",
                )


def _sorted(problems: list[ContentError]) -> list[ContentError]:
    return sorted(problems, key=lambda p: (p.path, p.line))


def build_module(module_dir: Path, root: Path) -> tuple[Module | None, list[ContentError]]:
    """Build a module and return it with every problem found (the module may be None or unusable when
    there are errors; `load_module` is the strict version)."""
    builder = _ModuleBuilder(Path(module_dir), Path(root))
    module = builder.build()
    return module, _sorted(builder.report.problems)


def load_module(module_dir: Path, root: Path) -> Module:
    """Load one module folder; raises ContentErrors (with warnings too) when it has any error."""
    module, problems = build_module(module_dir, root)
    if module is None or any(p.severity == "error" for p in problems):
        raise ContentErrors(problems)
    return module


def _module_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not _hidden(p.name) and not p.name.startswith("_"))


def _load_all(root: Path) -> tuple[dict[str, Module], list[ContentError]]:
    root = Path(root)
    if not root.is_dir():
        return {}, [ContentError(str(root), 0, "content folder does not exist")]
    modules: dict[str, Module] = {}
    problems: list[ContentError] = []
    for module_dir in _module_dirs(root):
        try:
            module, found = build_module(module_dir, root)
        except Exception as exc:  # a bug must not take the whole catalogue down
            log.exception("content: loading %s failed", module_dir)
            found = [
                ContentError(
                    f"{module_dir.name}/module.md",
                    1,
                    f"the module could not be loaded because of an internal error ({exc!r}); please report this",
                )
            ]
            module = None
        problems.extend(found)
        if module is not None and not any(p.severity == "error" for p in found):
            modules[module.slug] = module
    return modules, problems


def load_catalog(root: Path) -> Catalog:
    """Every valid module under `root`, ordered by slug; problems of left-out modules and warnings of kept
    ones in `problems`. Never raises for content problems."""
    modules, problems = _load_all(root)
    digest = hashlib.sha256("".join(f"{slug}:{m.version}\n" for slug, m in sorted(modules.items())).encode())
    return Catalog(
        modules=dict(sorted(modules.items())),
        problems=tuple(problems),
        version=digest.hexdigest()[:12],
        root=str(root),
    )


def _is_module_dir(path: Path) -> bool:
    return (path / "module.md").is_file() or any(_LESSON_FILE.match(p.name) for p in path.iterdir() if p.is_file())


def check(root: Path) -> list[ContentError]:
    """All errors and warnings under `root` (a folder of modules, or one module folder)."""
    root = Path(root)
    if root.is_dir() and _is_module_dir(root):
        try:
            return build_module(root, root.parent)[1]
        except Exception as exc:
            log.exception("content: checking %s failed", root)
            return [ContentError(f"{root.name}/module.md", 1, f"internal error ({exc!r}); please report this")]
    return _load_all(root)[1]
