"""Fill the English catalogue: the UI source strings are English, so an empty English entry takes its msgid."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            strings = tuple(message.string) if message.string else ("", "")
            if not all(strings):
                message.string = (strings[0] or singular, strings[1] or plural)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        if message.fuzzy:
            message.flags.discard("fuzzy")
    with CATALOGUE.open("wb") as f:
        write_po(f, catalogue)
    print(f"English catalogue: {filled} entries filled from their source text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
