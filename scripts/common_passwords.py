"""Rebuild elearning/data/common-passwords.txt: zxcvbn's password list plus generated Dutch and workplace patterns.

    pip download --no-deps -d /tmp/zxcvbn zxcvbn==4.5.0
    .venv/bin/python scripts/common_passwords.py /tmp/zxcvbn/zxcvbn-4.5.0-py2.py3-none-any.whl

Sources, stated in the file's header and in docs/security.md:

1. The "passwords" frequency list of the zxcvbn package on PyPI (zxcvbn 4.5.0, MIT licence, Daniel Wolf; the list
   itself comes from Dropbox's zxcvbn, built from Mark Burnett's "10 million passwords" data set), most common
   first: its first 10,000 entries, and of the 20,000 after them those of 12 characters or more (only those can
   get past the length rule, so they are the ones that matter here).
2. Generated patterns that a Dutch civil servant is likely to try and that are 12 characters or longer: Dutch and
   English base words (wachtwoord, welkom, seasons, months, days, football clubs, cities, ministry words, this
   platform's own words) with the suffixes people add (digits, years, "!"), doubled short words, and keyboard or
   digit runs. They are not from a breach corpus; they are what the rule "12 characters" invites people to type.

Entries are normalised as services/password_policy.normalise does (case folded, spaces and - _ . removed) and
written sorted and without duplicates.
"""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from elearning.services.password_policy import MIN_LENGTH, normalise  # noqa: E402

OUT = REPO / "elearning" / "data" / "common-passwords.txt"
TOP = 10_000

BASE_WORDS = """
wachtwoord paswoord password passw0rd wachtw00rd welkom welkom01 geheim geheimpje inloggen letmein login qwerty
azerty iloveyou ikhouvanjou liefde schatje prinses kampioen sunshine monkey dragon football princess changeme
default secret master admin administrator beheer beheerder medewerker gebruiker user welcome voetbal ajax
feyenoord psv azalkmaar fcutrecht fctwente vitesse oranje holland nederland amsterdam rotterdam utrecht denhaag
groningen eindhoven zwolle arnhem haarlem leiden maastricht zomer winter lente herfst januari februari maart april
mei juni juli augustus september oktober november december maandag dinsdag woensdag donderdag vrijdag zaterdag
zondag rijksoverheid overheid ministerie ambtenaar rijksambtenaar kantoor werk collega koffie thuiswerken
elearning sociaalveilig veiligwerken omstander vertrouwenspersoon melden hond kat poes konijn paard bloem
""".split()  # noqa: SIM905 - a word list reads better as words
SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "!", "!!", "01", "001", "1!", "123!", "@", "#"]
YEARS = [str(year) for year in range(1990, 2031)]
RUNS = [
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1234567890qwertyuiop",
    "1q2w3e4r5t6y7u8i9o0p",
    "1qaz2wsx3edc4rfv5tgb",
    "zaq12wsxcde34rfv",
    "01234567890123456789",
    "12345678901234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "09876543210987654321",
]


def zxcvbn_list(wheel: Path) -> list[str]:
    """The "passwords" list from zxcvbn's frequency_lists.py, most common first (read, never imported)."""
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("zxcvbn/frequency_lists.py").decode("utf-8")
    for node in ast.parse(source).body:  # FREQUENCY_LISTS = {"passwords": "123456,password,...".split(","), ...}
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "passwords" and isinstance(value, ast.Call):
                    text = ast.literal_eval(value.func.value)  # type: ignore[attr-defined]
                    return [word for word in text.split(",") if word]
    raise SystemExit(f"{wheel}: no FREQUENCY_LISTS in zxcvbn/frequency_lists.py")


def generated() -> set[str]:
    """Base words with the usual endings, doubled words, and keyboard or digit runs: 12 characters or more."""
    out: set[str] = set()
    for word in BASE_WORDS:
        for ending in [*SUFFIXES, *(year + mark for year in YEARS for mark in ("", "!", "!!", "!!!", "?"))]:
            out.add(word + ending)
            if ending.isdigit():
                out.add(ending + word)
        out.add(word * 2)
        out.add(word * 3)
    for run in RUNS:
        for length in range(MIN_LENGTH, len(run) + 1):
            out.add(run[:length])
    for repeated in (*"0123456789", "12", "123", "1234", "abc", "qwe", "asd", "ab", "xy"):
        for length in range(MIN_LENGTH, 21):
            out.add((repeated * 20)[:length])
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    ranked = zxcvbn_list(Path(argv[1]))
    chosen = ranked[:TOP] + [word for word in ranked[TOP:] if len(word) >= MIN_LENGTH]
    words = {normalise(word) for word in chosen} | {normalise(word) for word in generated() if len(word) >= MIN_LENGTH}
    words.discard("")
    header = [
        "# Common passwords refused by elearning.services.password_policy (one per line, normalised).",
        "# Built by scripts/common_passwords.py; see its docstring and docs/security.md for the sources:",
        f"# 1. the first {TOP} entries of zxcvbn's 'passwords' list, and its later ones of {MIN_LENGTH}+ characters:",
        "#    zxcvbn 4.5.0 (PyPI), MIT licence, Copyright (c) 2016 Daniel Wolf; the list originates from",
        "#    Dropbox's zxcvbn (MIT), built from Mark Burnett's '10 million passwords' data set.",
        f"# 2. generated Dutch and workplace patterns of {MIN_LENGTH}+ characters (base words + digits/years/!).",
    ]
    OUT.write_text("\n".join([*header, *sorted(words)]) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(words)} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
