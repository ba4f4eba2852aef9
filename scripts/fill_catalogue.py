"""Fill empty entries of a UI catalogue from a Python file holding a dict T of msgid -> translation.

    .venv/bin/python scripts/fill_catalogue.py nl translations-to-add.py

Used when new strings arrive in bulk; placeholders are checked to match. Entries already translated stay.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def main(language: str, source: str) -> int:
    table = runpy.run_path(source)["T"]
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalogue = read_po(f, locale=language)
    filled, problems = 0, []
    for message in catalogue:
        if not message.id or message.id not in table:
            continue
        string = table[message.id]
        source = message.id[-1] if isinstance(message.id, tuple) else message.id  # a plural: its plural form
        wanted = set(PLACEHOLDER.findall(source)) - {"num"}  # a singular may leave the number out
        for text in string if isinstance(string, tuple) else (string,):
            if set(PLACEHOLDER.findall(text)) - {"num"} != wanted:
                problems.append(f"placeholders differ: {source!r} -> {text!r}")
        message.string = string
        message.flags.discard("fuzzy")
        filled += 1
    if problems:
        print("\n".join(problems))
        return 1
    with path.open("wb") as f:
        write_po(f, catalogue)
    print(f"{language}: {filled} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
