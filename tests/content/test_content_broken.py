"""Every broken fixture module yields exactly the friendly file:line messages an author should see."""
# ruff: noqa: E501 - the expected messages are kept whole, one per line, so they read like the CLI output

from __future__ import annotations

from pathlib import Path

import pytest

from elearning.content import ContentErrors, check, load_catalog, load_module

from .conftest import BROKEN_ROOT

EXPECTED: dict[str, list[str]] = {
    "Folder Name": [
        "module.md:1: module folder name 'Folder Name' is not valid: use lowercase letters, digits and hyphens, e.g. 'folder-name'",
    ],
    "assessment-files-without-front-matter": [
        "assessment.nl.md:1: assessment.nl.md exists but module.md has no 'assessment' section: add 'assessment:' and 'pass_mark'",
    ],
    "assessment-without-files": [
        "module.md:7: module.md has an 'assessment' section but assessment.nl.md does not exist",
    ],
    "bad-option-line": [
        "01-les.nl.md:6: option (a) of question 'vraag' must start with '- [ ]' or '- [x]': write it as '- [ ] (a) ...'",
    ],
    "check-inside-callout": [
        "01-les.nl.md:4: check 'vraag' cannot be placed inside a 'note' callout; put it outside the callout",
    ],
    "choice-problems": [
        "01-les.nl.md:10: choice (a) in scene 'begin' of scenario 'overleg' has no target: write it as '- (a) [label](#scene-id)'",
        "01-les.nl.md:11: choice 'Zonder id.' in scene 'begin' of scenario 'overleg' has no id: write it as '- (id) [Zonder id.](#goed)'",
        "01-les.nl.md:13: warning: choice (b) in scene 'begin' of scenario 'overleg' has no feedback",
        "01-les.nl.md:15: unexpected line under choice (c) in scene 'begin' of scenario 'overleg': only 'tag: ...' and '> feedback' lines belong there",
    ],
    "choice-to-missing-scene": [
        "01-les.nl.md:10: choice (a) in scene 'begin' of scenario 'overleg' leads to 'goed-einde', which is not a scene of this scenario",
    ],
    "duplicate-id": [
        "01-les.nl.md:12: id 'vraag' is already used by the check in 01-les.nl.md:3; ids must be unique in the module",
    ],
    "effect-file-missing": [
        "effect.nl.md:1: effect.nl.md exists but effect.en.md does not: every language in 'languages' needs the same question sets",
    ],
    "effect-languages": [
        "effect.en.md:1: effect set 'pre' has statements (a, c) but in effect.nl.md (a, b)",
        "effect.en.md:1: effect set 'follow-up' is not here but in effect.nl.md",
        "effect.en.md:6: effect set 'post' is here but not in effect.nl.md",
    ],
    "effect-problems": [
        "01-les.nl.md:5: effect blocks belong in effect.<lang>.md, next to the lessons",
        "effect.nl.md:3: an effect block is '/// effect | pre', 'post' or 'follow-up', not '/// effect | voor'",
        "effect.nl.md:8: 'after_days' belongs to the follow-up set, not to effect set 'pre'",
        "effect.nl.md:10: statement (a) appears twice in effect set 'pre'",
        "effect.nl.md:11: statement id 'B' of effect set 'pre' is not valid: use lowercase letters, digits and hyphens, e.g. 'b'",
        "effect.nl.md:14: effect set 'follow-up' has no statements: add lines like '- (melden) Ik weet waar ik kan melden.'",
        "effect.nl.md:15: 'after_days' of effect set 'follow-up' must be a whole number of days from 7 to 365, not 3",
        "effect.nl.md:19: warning: statement (c) of effect set 'post' is not in the pre set: no change can be shown for it",
        "effect.nl.md:23: only '/// effect' blocks can follow the first effect set in effect.nl.md: move this text above the first effect set",
    ],
    "ending-with-choices": [
        "01-les.nl.md:14: scene 'goed' of scenario 'overleg' is an ending but has choices: an ending has no choices",
    ],
    "event-handler": [
        "01-les.nl.md:3: event handler attribute 'onclick' is not allowed",
    ],
    "front-matter-not-closed": [
        "module.md:1: front matter is not closed: add a line with --- after its last key",
    ],
    "image-not-found": [
        "01-les.nl.md:3: image 'media/weg.png' does not exist: put the file in the module's media/ folder",
        "01-les.nl.md:5: image 'plaatjes/foto.png' must be in the module's media/ folder: write media/foto.png",
    ],
    "invalid-front-matter-yaml": [
        "module.md:3: invalid YAML in front matter: mapping values are not allowed here (put text containing ': ' or starting with '{' in quotes)",
    ],
    "javascript-link": [
        "01-les.nl.md:3: 'javascript:' links are not allowed",
    ],
    "lesson-missing-in-language": [
        "module.md:7: lesson '01-les' is listed in module.md but 01-les.en.md does not exist",
    ],
    "lesson-not-listed": [
        "02-extra.nl.md:1: warning: lesson '02-extra' is not listed under 'lessons' in module.md, so it is not shown",
    ],
    "lesson-warning-problems": [
        "01-les.nl.md:2: a lesson with a 'warning' needs a 'summary' too: learners who would rather not read the lesson read the summary instead",
        "01-les.nl.md:3: unknown key 'samenvatting' in front matter; allowed: warning, summary",
        "02-les.en.md:1: lesson '02-les' has a 'warning' in nl but not in en: give it in every language",
    ],
    "lesson-without-title": [
        "01-les.nl.md:4: lesson has no title: start it with a line '# Title'",
    ],
    "loop-without-exit": [
        "01-les.nl.md:16: no ending can be reached from scene 'rondje' of scenario 'overleg': its choices only loop back",
        "01-les.nl.md:23: no ending can be reached from scene 'rondje-twee' of scenario 'overleg': its choices only loop back",
    ],
    "malformed-block-header": [
        "01-les.nl.md:3: malformed block header '/// check vraag': write it as '/// type | id'",
        "01-les.nl.md:7: check block has no id: write it as '/// check | some-id'",
        "01-les.nl.md:11: id 'Vraag_Een' of check is not valid: use lowercase letters, digits and hyphens, e.g. 'vraag-een'",
    ],
    "missing-alt-text": [
        "01-les.nl.md:3: image 'media/foto.png' has no alt text: describe it between the brackets, e.g. ![Two colleagues talking](media/foto.png)",
        "01-les.nl.md:5: image 'media/foto.png' has no alt text: add alt=\"what the image shows\"",
    ],
    "missing-required-key": [
        "module.md:1: missing required key 'title' in front matter",
    ],
    "module-translation-missing": [
        "module.md:5: module.en.md is missing: every language in 'languages' needs one (title, summary and introduction)",
    ],
    "no-correct-option": [
        "01-les.nl.md:3: question 'vraag' has no correct option: mark the right answer with [x]",
    ],
    "no-ending": [
        "01-les.nl.md:3: scenario 'overleg' has no ending: mark at least one scene with 'ending: good', 'acceptable' or 'poor'",
    ],
    "no-module-md": [
        "module.md:1: module.md is missing: every module folder needs one, with the front matter (title, summary, estimated_minutes, ...)",
    ],
    "not-utf8": [
        "01-les.nl.md:3: file is not valid UTF-8 text: save it with UTF-8 encoding",
    ],
    "option-ids-differ": [
        "01-les.en.md:3: question 'vraag' has options (a, c) but in 01-les.nl.md (a, b)",
    ],
    "option-without-feedback": [
        "01-les.nl.md:10: option (c) of question 'herkennen-grap' has no feedback",
    ],
    "option-without-id": [
        "01-les.nl.md:6: option 'Fout.' of question 'vraag' has no id: write it as '- [ ] (a) Fout.'",
    ],
    "plain-language": [
        "01-les.nl.md:3: warning: plain language: sentence of 30 words (“Maar deze zin is veel te ...”); at most 25 words read easily: split it",
        "01-les.nl.md:6: warning: plain language: long word 'arbeidsomstandighedenwet' (24 letters); a shorter or more common word is easier to read",
        "01-les.nl.md:13: warning: plain language: sentence of 29 words (“Dit is de feedback en die ...”); at most 25 words read easily: split it",
    ],
    "pool-not-declared": [
        "assessment.nl.md:21: question 'q3' is in pool 'bassis', which is not listed under 'assessment: pools' in module.md; did you mean 'basis'?",
    ],
    "pool-too-large": [
        "module.md:9: pool 'basis' asks 3 questions but has only 2",
    ],
    "raw-iframe-form": [
        "01-les.nl.md:3: raw HTML <iframe> is not allowed",
        "01-les.nl.md:5: raw HTML <form> is not allowed",
    ],
    "raw-script": [
        "01-les.nl.md:3: raw HTML <script> is not allowed",
    ],
    "scenario-warning-problems": [
        "01-les.en.md:3: scenario 'overleg' has no 'warning' here but a 'warning' in 01-les.nl.md: give it in every language",
        "01-les.nl.md:5: scenario 'overleg' has a 'warning' but no 'summary': learners who would rather not walk the scenario read the summary instead",
    ],
    "scene-with-three-slashes": [
        "01-les.nl.md:4: a scene inside a scenario starts with ////: write '//// scene | begin' and close it with ////",
    ],
    "scene-without-choices": [
        "01-les.nl.md:16: scene 'midden' of scenario 'overleg' has no choices and is not an ending: add choices or 'ending: good', 'acceptable' or 'poor'",
    ],
    "single-choice-two-correct": [
        "01-les.nl.md:3: question 'vraag' has 2 correct options (a, b) but allows only one answer: mark one with [x] or add 'multiple: true'",
    ],
    "stray-closing-fence": [
        "01-les.nl.md:4: '///' closes nothing: there is no open block that starts with ///",
    ],
    "structure-mismatch": [
        "01-les.en.md:1: reflection 'alleen-nl' of 01-les.nl.md is missing here",
        "01-les.en.md:3: question 'vraag' has correct options (a) but in 01-les.nl.md (b)",
        "01-les.en.md:17: choice (a) in scene 'begin' of scenario 'overleg' leads to 'slecht' here but to 'goed' in 01-les.nl.md",
        "01-les.en.md:17: choice (a) in scene 'begin' of scenario 'overleg' has tag 'delay' here but 'direct' in 01-les.nl.md",
        "01-les.en.md:24: scene 'goed' of scenario 'overleg' cannot be reached from the start scene 'begin'",
        "01-les.en.md:24: scene 'goed' of scenario 'overleg' has ending 'acceptable' here but 'good' in 01-les.nl.md",
        "01-les.en.md:35: reflection 'alleen-en' is not in 01-les.nl.md; every language must have the same blocks",
    ],
    "text-after-options": [
        "01-les.nl.md:10: text after the options of question 'vraag' is not shown: move it above the options or into the feedback",
    ],
    "unclosed-block": [
        "01-les.nl.md:3: check 'vraag' is not closed: add a line with /// where it ends",
    ],
    "unknown-block-option": [
        "01-les.nl.md:4: option 'multiple' of question 'vraag' must be true or false, not 'ja'",
        "01-les.nl.md:5: unknown option 'hints' for question 'vraag'; did you mean 'hint'?",
    ],
    "unknown-block-type": [
        "01-les.nl.md:3: unknown block type 'quiz': use one of check, scenario, reflection, note, tip, warning, important, key",
        "01-les.nl.md:7: unknown block type 'chek': use one of check, scenario, reflection, note, tip, warning, important, key; did you mean 'check'?",
    ],
    "unknown-front-matter-key": [
        "module.md:1: missing required key 'estimated_minutes' in front matter",
        "module.md:4: unknown key 'estimated_minute' in front matter; did you mean 'estimated_minutes'?",
        "module.md:5: unknown key 'author' in front matter; allowed: title, summary, audience, estimated_minutes, pass_mark, languages, lessons, assessment",
    ],
    "unknown-placeholder": [
        "01-les.nl.md:3: unknown placeholder {vertrouwenspersoon}; did you mean {vertrouwenspersoon_contact}?",
        "01-les.nl.md:3: unknown placeholder {HR_contact}; did you mean {hr_contact}?",
        "01-les.nl.md:3: unknown placeholder {onbekend}; known placeholders: {bedrijfsmaatschappelijk_werk_contact}, {hr_contact}, {intranet_meldpagina}, {mior_contact}, {organisatie_naam}, {vertrouwenspersoon_contact}",
    ],
    "unknown-tag": [
        "01-les.nl.md:11: unknown tag 'afleiden' on choice (a) in scene 'begin' of scenario 'overleg': use one of distract, delegate, document, delay, direct; did you mean 'distract'?",
        "01-les.nl.md:14: unknown tag 'distrakt' on choice (b) in scene 'begin' of scenario 'overleg': use one of distract, delegate, document, delay, direct; did you mean 'distract'?",
    ],
    "unreachable-scene": [
        "01-les.nl.md:14: scene 'vergeten' of scenario 'overleg' cannot be reached from the start scene 'begin'",
    ],
    "wrong-block-in-file": [
        "01-les.nl.md:3: question blocks belong in assessment.<lang>.md; use '/// check' for a question in a lesson",
        "assessment.nl.md:1: check blocks belong in lessons; use '/// question' in assessment.nl.md",
    ],
    "wrong-types": [
        "module.md:4: 'estimated_minutes' must be a whole number of minutes, not 'twintig'",
        "module.md:5: 'pass_mark' must be a whole number from 1 to 100 (a percentage), not 120",
        "module.md:6: 'audience' must be 'all' or 'managers', not 'everyone'",
    ],
}


def test_every_broken_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN_ROOT.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exact_messages(name: str) -> None:
    problems = check(BROKEN_ROOT / name)
    assert [str(p) for p in problems] == [f"{name}/{message}" for message in EXPECTED[name]]
    assert all(p.path.startswith(f"{name}/") and p.line >= 1 for p in problems)


@pytest.mark.parametrize("name", sorted(n for n, msgs in EXPECTED.items() if any(": warning: " not in m for m in msgs)))
def test_load_module_raises_with_every_problem(name: str) -> None:
    with pytest.raises(ContentErrors) as info:
        load_module(BROKEN_ROOT / name, BROKEN_ROOT)
    assert [str(e) for e in info.value.errors] == [f"{name}/{message}" for message in EXPECTED[name]]
    assert str(info.value).splitlines() == [f"{name}/{message}" for message in EXPECTED[name]]


def test_a_module_with_only_warnings_loads() -> None:
    module = load_module(BROKEN_ROOT / "lesson-not-listed", BROKEN_ROOT)
    assert [lesson.slug for lesson in module.lessons] == ["01-les"]


def test_catalog_leaves_broken_modules_out_but_lists_their_problems() -> None:
    catalog = load_catalog(BROKEN_ROOT)
    assert list(catalog.modules) == ["lesson-not-listed", "plain-language"]  # warnings only
    expected = sorted(f"{name}/{message}" for name, messages in EXPECTED.items() for message in messages)
    assert sorted(str(p) for p in catalog.problems) == expected
    assert [str(p) for p in catalog.problems_for("lesson-not-listed")] == [
        "lesson-not-listed/02-extra.nl.md:1: warning: lesson '02-extra' is not listed under 'lessons' in module.md, so it is not shown"
    ]


def test_plain_language_findings_are_warnings_of_their_own_category() -> None:
    problems = check(BROKEN_ROOT / "plain-language")
    assert {(p.severity, p.category) for p in problems} == {("warning", "plain-language")}
    assert all(p.path.endswith(".nl.md") for p in problems)  # English lessons are not checked
    others = [p for p in check(BROKEN_ROOT / "choice-problems") if p.severity == "warning"]
    assert others and {p.category for p in others} == {""}


def test_check_of_the_whole_folder_equals_the_sum_of_its_modules() -> None:
    whole = [str(p) for p in check(BROKEN_ROOT)]
    parts = [str(p) for name in sorted(EXPECTED) for p in check(BROKEN_ROOT / name)]
    assert sorted(whole) == sorted(parts)


def test_missing_content_root_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path / "nope")
    assert catalog.modules == {}
    assert [p.message for p in catalog.problems] == ["content folder does not exist"]
