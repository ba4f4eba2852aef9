"""docs/security.md stays true: the threat model is there, the ASVS 4.0.3 table has every level-2 requirement once,
its counts are the ones at the top, every test it names exists, and its accepted bandit findings are the code's."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")

# The level-2 requirements of ASVS 4.0.3 (level 1 included; deleted and level-3-only ones left out), from the
# standard's own CSV (OWASP/ASVS, 4.0/docs_en/OWASP Application Security Verification Standard 4.0.3-en.csv).
LEVEL_2 = """
1.1.1-7 1.2.1-4 1.4.1 1.4.4-5 1.5.1-4 1.6.1-4 1.7.1-2 1.8.1-2 1.9.1-2 1.10.1 1.11.1-2 1.12.2 1.14.1-6
2.1.1-12 2.2.1-3 2.3.1-3 2.4.1-6 2.5.1-7 2.6.1-3 2.7.1-6 2.8.1-7 2.9.1-3 2.10.1-4
3.1.1 3.2.1-4 3.3.1-4 3.4.1-5 3.5.1-3 3.7.1
4.1.1-3 4.1.5 4.2.1-2 4.3.1-3
5.1.1-5 5.2.1-8 5.3.1-10 5.4.1-3 5.5.1-4
6.1.1-3 6.2.1-6 6.3.1-2 6.4.1-2
7.1.1-4 7.2.1-2 7.3.1 7.3.3-4 7.4.1-3
8.1.1-4 8.2.1-3 8.3.1-8
9.1.1-3 9.2.1-4
10.2.1-2 10.3.1-3
11.1.1-8
12.1.1-3 12.2.1 12.3.1-6 12.4.1-2 12.5.1-2 12.6.1
13.1.1 13.1.3-5 13.2.1-3 13.2.5-6 13.3.1-2 13.4.1-2
14.1.1-4 14.2.1-6 14.3.2-3 14.4.1-7 14.5.1-4
"""
ROW = re.compile(r"^\| (\d+\.\d+\.\d+) \| ([^|]+) \| (met|not applicable|not met) \| (.+) \|$", re.MULTILINE)
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
COUNTS = re.compile(
    r"\*\*ASVS 4\.0\.3 level 2: (\d+) requirements: (\d+) met, (\d+) not applicable \((\d+) of them the hosting's\), "
    r"(\d+) not met\.\*\*"
)


def expected_ids() -> list[str]:
    ids = []
    for item in LEVEL_2.split():
        section, _, last = item.rpartition(".")
        first, _, end = last.partition("-")
        ids += [f"{section}.{number}" for number in range(int(first), int(end or first) + 1)]
    return ids


def rows() -> list[tuple[str, str, str, str]]:
    return ROW.findall(DOC)


def test_the_threat_model_is_on_the_page() -> None:
    model = DOC.split("## Threat model", 1)[1].split("\n## ", 1)[0]
    for part in ("**What we protect.**", "**Who might attack.**", "**Trust boundaries.**", "**Main threats"):
        assert part in model, part
    for asset in ("password_hash", "exemption", "audit_event", "reflection"):
        assert asset in model, asset


def test_the_asvs_table_covers_every_level_2_requirement_once() -> None:
    found = [row[0] for row in rows()]
    assert len(expected_ids()) == 260
    doubled = sorted(ident for ident, count in Counter(found).items() if count > 1)
    assert not doubled, doubled
    assert set(found) == set(expected_ids()), {
        "missing": sorted(set(expected_ids()) - set(found)),
        "not level 2": sorted(set(found) - set(expected_ids())),
    }


def test_the_counts_at_the_top_are_the_tables() -> None:
    match = COUNTS.search(DOC)
    assert match, "the counts line at the top is missing"
    total, met, not_applicable, hosting, not_met = map(int, match.groups())
    statuses = Counter(row[2] for row in rows())
    assert (total, met, not_applicable, not_met) == (
        len(rows()),
        statuses["met"],
        statuses["not applicable"],
        statuses["not met"],
    )
    assert hosting == sum(1 for row in rows() if row[2] == "not applicable" and row[3].startswith("*(hosting)*"))


def test_every_met_requirement_names_tests_that_exist() -> None:
    problems = []
    for ident, _text, status, evidence in rows():
        references = TEST_REF.findall(evidence)
        if status == "met" and not references:
            problems.append(f"{ident}: met without a test")
        for path, name in references:
            source = ROOT / path
            if not source.is_file() or not re.search(rf"^def {name}\(", source.read_text(), re.MULTILINE):
                problems.append(f"{ident}: {path}::{name} does not exist")
    assert not problems, problems


@pytest.mark.parametrize("status", ["not applicable", "not met"])
def test_every_other_requirement_says_why(status: str) -> None:
    short = [row[0] for row in rows() if row[2] == status and len(row[3]) < 7]
    assert not short, short
    if status == "not met":
        fixless = [row[0] for row in rows() if row[2] == status and "Fix" not in row[3] and "fix" not in row[3]]
        assert not fixless, f"say what would fix it: {fixless}"


def test_every_accepted_bandit_finding_is_listed_with_its_reason() -> None:
    in_code = set()
    for folder in ("elearning", "migrations", "scripts", "deploy"):
        for path in (ROOT / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                for test_id in re.findall(r"#\s*nosec\s+(B\d{3})", line):
                    assert re.search(r"#\s*noqa: S\d+ - \S|#[^#]*\w[^#]*#\s*nosec", line), f"no reason: {line}"
                    in_code.add((str(path.relative_to(ROOT)), test_id))
    listed = set(re.findall(r"^- `([\w/.]+\.py)` (B\d{3})", DOC, re.MULTILINE))
    assert in_code == listed, {"not in the doc": in_code - listed, "not in the code": listed - in_code}
