"""The plain-language check: which text it reads, how it counts sentences and words, and where it points."""

from __future__ import annotations

from elearning.content.parse import read_lines
from elearning.content.plain import MAX_SENTENCE_WORDS, check_plain_language


def _findings(text: str) -> list[tuple[int, str]]:
    lines = ((line.no, line.text, line.code) for line in read_lines(text))
    return [(found.line, found.message) for found in check_plain_language(lines)]


def _words(count: int, word: str = "woord") -> str:
    return " ".join([word] * count)


def test_a_sentence_of_25_words_passes_and_26_is_reported_at_its_first_line() -> None:
    assert _findings(f"Kort. Dit {_words(23)} einde.\n") == []
    found = _findings(f"Kort.\nDit {_words(19)}\n{_words(5)} einde. Daarna kort.\n")
    assert found == [
        (
            2,
            "plain language: sentence of 26 words (“Dit woord woord woord woord woord ...”); "
            f"at most {MAX_SENTENCE_WORDS} words read easily: split it",
        )
    ]


def test_sentences_end_at_a_full_stop_before_a_capital_not_before_a_lowercase_word() -> None:
    assert _findings(f"{_words(20)}. Nog {_words(20)}.\n") == []
    assert len(_findings(f"{_words(20)} bijv. nog {_words(20)}.\n")) == 1  # an abbreviation does not end it


def test_code_links_addresses_tags_and_table_rows_are_not_words() -> None:
    text = (
        f"Lees [{_words(3)}](https://example.org/{'a-' * 30}) en `{_words(30)}` en <span>{_words(2)}</span>, "
        f"mail {'x' * 30}@example.org of kijk op www.{'lang' * 10}.nl met {{vertrouwenspersoon_contact}}.\n\n"
        f"| {_words(40)} |\n|---|\n\n```\n{_words(40)}.\n```\n"
    )
    assert _findings(text) == []


def test_block_options_and_tag_lines_are_skipped_but_feedback_is_read_on_its_own() -> None:
    text = (
        "/// check | vraag\n"
        f"    hint: {_words(40)}\n"
        "Welke?\n\n"
        f"- [x] (a) {_words(20)}\n"
        f"    > {_words(20)}.\n"
        "///\n"
        "//// scene | begin\n"
        f"- (a) [{_words(10)}](#b)\n"
        "    tag: distract\n"
        f"    > {_words(10)}.\n"
        "////\n"
    )
    assert _findings(text) == []  # option and feedback are two sentences of 20, not one of 40
    assert _findings(f"- [x] (a) kort\n    > {_words(26)}.\n") == [
        (
            2,
            "plain language: sentence of 26 words (“woord woord woord woord woord woord ...”); "
            "at most 25 words read easily: split it",
        )
    ]


def test_long_words_once_per_sentence_per_part_of_a_hyphenated_word_and_known_terms_accepted() -> None:
    found = _findings(
        "De arbeidsomstandighedenwet en weer de arbeidsomstandighedenwet.\n"
        "Een sollicitatiecommissie-lid. Het bedrijfsmaatschappelijk werk helpt. Een anti-discriminatiebeleid.\n"
    )
    assert [(line, message.split("'")[1]) for line, message in found] == [
        (1, "arbeidsomstandighedenwet"),
        (2, "sollicitatiecommissie-lid"),
    ]
    assert "(21 letters)" in found[1][1]  # the longest part, not the whole hyphenated word


def test_numbers_with_separators_are_one_word() -> None:
    assert _findings(f"Er deden 5.558 mensen mee aan {_words(19)}.\n") == []  # 25 words, or 26 if split
    assert len(_findings(f"Er deden 5.558 mensen mee aan {_words(20)}.\n")) == 1
