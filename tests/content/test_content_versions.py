"""Content versions change with every source change; the source stamp is cheap and notices edits."""

from __future__ import annotations

import os
from pathlib import Path

from elearning.content import check, load_catalog, load_module, source_stamp
from elearning.content.load import module_version

from .conftest import VALID_ROOT, VALID_SLUG


def _version(root: Path) -> str:
    return load_module(root / VALID_SLUG, root).version


def test_version_is_stable(copied_root: Path) -> None:
    assert _version(copied_root) == _version(copied_root) == module_version(copied_root / VALID_SLUG)


def test_version_does_not_depend_on_where_the_content_lives(copied_root: Path, tmp_path: Path) -> None:
    other = tmp_path / "elders"
    other.mkdir()
    (copied_root / VALID_SLUG).rename(other / VALID_SLUG)
    assert load_module(other / VALID_SLUG, other).version == _version(VALID_ROOT)


def test_version_changes_when_a_lesson_changes(copied_root: Path) -> None:
    before = _version(copied_root)
    lesson = copied_root / VALID_SLUG / "01-herkennen.nl.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("bedoeling.", "bedoeling!"), encoding="utf-8")
    assert _version(copied_root) != before


def test_version_changes_when_an_image_changes(copied_root: Path) -> None:
    before = _version(copied_root)
    image = copied_root / VALID_SLUG / "media" / "collega-s.png"
    image.write_bytes(image.read_bytes() + b"\0")
    assert _version(copied_root) != before


def test_version_changes_when_a_file_is_renamed_or_added(copied_root: Path) -> None:
    before = _version(copied_root)
    media = copied_root / VALID_SLUG / "media"
    (media / "collega-s.png").rename(media / "extra.png")
    (media / "collega-s.png").write_bytes((media / "extra.png").read_bytes())
    assert _version(copied_root) != before


def test_hidden_files_are_not_content(copied_root: Path) -> None:
    before = _version(copied_root)
    (copied_root / VALID_SLUG / ".DS_Store").write_bytes(b"junk")
    (copied_root / VALID_SLUG / "01-herkennen.nl.md~").write_text("backup", encoding="utf-8")
    assert _version(copied_root) == before
    assert check(copied_root) == []


def test_catalog_version_follows_the_module_versions(copied_root: Path) -> None:
    before = load_catalog(copied_root).version
    assert load_catalog(copied_root).version == before
    summary = copied_root / VALID_SLUG / "module.en.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert load_catalog(copied_root).version != before


def test_source_stamp(copied_root: Path) -> None:
    stamp = source_stamp(copied_root)
    paths = [entry[0] for entry in stamp]
    assert paths == sorted(paths)
    assert f"{VALID_SLUG}/module.md" in paths
    assert f"{VALID_SLUG}/media/collega-s.png" in paths
    assert source_stamp(copied_root) == stamp
    lesson = copied_root / VALID_SLUG / "02-omstander.en.md"
    st = lesson.stat()
    os.utime(lesson, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert source_stamp(copied_root) != stamp
    stamp = source_stamp(copied_root)
    (copied_root / VALID_SLUG / "03-nieuw.nl.md").write_text("# Nieuw\n", encoding="utf-8")
    assert source_stamp(copied_root) != stamp


def test_source_stamp_of_a_missing_root(tmp_path: Path) -> None:
    assert source_stamp(tmp_path / "nope") == ()
