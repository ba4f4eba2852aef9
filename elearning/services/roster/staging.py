"""Uploaded rosters kept between preview and apply, in instance/imports/<token>/, tied to the person who uploaded.

The apply claims the upload by renaming its bytes (atomic on one file system), so a double click or two tabs
apply it once; the bytes are deleted once applied, and forgotten uploads are purged after a day.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ...content import Catalog
from ...models import Person
from ..errors import NotFound
from .apply import apply_import
from .report import ImportMode, ImportReport
from .scope import import_scope
from .upload import check_upload
from .validate import DEFAULT_LANGUAGES, preview_import

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_AGE = timedelta(days=1)
MAX_OPEN_PER_PERSON = 3  # a person's older uploads that were neither applied nor discarded make room for a new one
PENDING, APPLYING = "roster", "roster.applying"
META, REPORT, RESULT = "meta.json", "report.json", "result.json"


class StagedState(StrEnum):
    """Where an upload is: waiting for confirmation, being applied right now, or applied."""

    PENDING = "pending"
    APPLYING = "applying"
    APPLIED = "applied"


@dataclass(frozen=True)
class StagedImport:
    """An upload with its preview (pending) or its outcome (applied; counts only, no names)."""

    token: str
    state: StagedState
    mode: ImportMode
    filename: str
    uploaded_at: datetime
    report: ImportReport | None


def stage_import(
    session: Session,
    folder: Path,
    importer: Person,
    data: bytes,
    filename: str,
    *,
    mode: ImportMode,
    today: date,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> StagedImport:
    """Keep the uploaded bytes and their dry run; Forbidden (before anything is stored) for who may not import,
    InvalidInput (nothing stored either) for a file whose type is not allowed or does not match its name."""
    import_scope(session, importer)
    check_upload(data, filename)
    _purge_stale(folder)
    _make_room(folder, importer)
    token = secrets.token_urlsafe(24)
    directory = folder / token
    directory.mkdir(parents=True, mode=0o700)
    _write_bytes(directory / PENDING, data)
    meta = {
        "uploader_id": importer.id,
        "filename": Path(filename.replace("\\", "/")).name[:200] or "roster",
        "mode": mode.value,
        "uploaded_at": datetime.now(UTC).isoformat(),
    }
    _write_json(directory / META, meta)
    report = preview_import(session, directory / PENDING, importer, mode=mode, today=today, languages=languages)
    _write_json(directory / REPORT, report.to_json())
    return staged_import(folder, token, importer)


def staged_import(folder: Path, token: str, importer: Person) -> StagedImport:
    """The upload `token` of `importer`; NotFound for an unknown token or someone else's upload."""
    directory = _directory(folder, token)
    meta = _read_json(directory / META)
    if meta is None or meta.get("uploader_id") != importer.id:
        raise NotFound("staged import")
    if (directory / PENDING).exists():
        state, saved = StagedState.PENDING, _read_json(directory / REPORT)
    elif (directory / RESULT).exists():
        state, saved = StagedState.APPLIED, _read_json(directory / RESULT)
    elif (directory / APPLYING).exists():
        state, saved = StagedState.APPLYING, None
    else:
        raise NotFound("staged import")
    return StagedImport(
        token,
        state,
        ImportMode(meta["mode"]),
        meta["filename"],
        datetime.fromisoformat(meta["uploaded_at"]),
        ImportReport.from_json(saved) if saved else None,
    )


def apply_staged(
    session: Session,
    folder: Path,
    token: str,
    importer: Person,
    *,
    today: date,
    end_transaction: Callable[[], None],
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    catalog: Catalog | None = None,
) -> tuple[StagedImport, bool]:
    """Apply exactly the previewed bytes, once: (the upload's state afterwards, whether this call applied it).

    A second call (double click, second tab) applies nothing and returns the state it finds. When the data changed
    since the preview so that the file now has problems, nothing is written and the upload stays pending with the
    new problems; after an interruption it stays pending too, so that applying it again finishes the job.
    """
    staged = staged_import(folder, token, importer)
    directory = folder / token
    try:
        os.rename(directory / PENDING, directory / APPLYING)
    except FileNotFoundError:
        return staged_import(folder, token, importer), False
    try:
        report = apply_import(
            session,
            directory / APPLYING,
            importer,
            mode=staged.mode,
            today=today,
            end_transaction=end_transaction,
            languages=languages,
            catalog=catalog,
        )
    except BaseException:
        os.rename(directory / APPLYING, directory / PENDING)
        raise
    if not report.applied:
        _write_json(directory / REPORT, report.to_json())
        os.rename(directory / APPLYING, directory / PENDING)
        return staged_import(folder, token, importer), False
    outcome = report.to_json()
    outcome["samples"] = {}  # the outcome is kept for a day: counts, no names
    _write_json(directory / RESULT, outcome)
    (directory / APPLYING).unlink()
    (directory / REPORT).unlink(missing_ok=True)
    return staged_import(folder, token, importer), True


def discard_staged(folder: Path, token: str, importer: Person) -> None:
    """Forget a pending upload (the uploader changed their mind); NotFound once it is applied or gone."""
    staged = staged_import(folder, token, importer)
    if staged.state is not StagedState.PENDING:
        raise NotFound("staged import")
    shutil.rmtree(folder / token, ignore_errors=True)


def _directory(folder: Path, token: str) -> Path:
    if not TOKEN.match(token or ""):
        raise NotFound("staged import")
    return folder / token


def _purge_stale(folder: Path) -> None:
    """Remove uploads older than a day, whatever their state, so that rosters do not pile up on disk."""
    if not folder.is_dir():
        return
    limit = (datetime.now(UTC) - MAX_AGE).timestamp()
    for directory in folder.iterdir():
        meta = directory / META
        try:
            stale = meta.stat().st_mtime < limit if meta.exists() else directory.stat().st_mtime < limit
        except OSError:
            continue
        # An apply runs for seconds; one that still holds the bytes after a day was killed with its worker.
        if stale and TOKEN.match(directory.name):
            shutil.rmtree(directory, ignore_errors=True)


def _make_room(folder: Path, importer: Person) -> None:
    """Keep at most MAX_OPEN_PER_PERSON - 1 pending uploads (the file's bytes) of this person, so that the new one
    fits: the oldest go. One being applied right now is left alone; applied ones keep only counts, for a day."""
    if not folder.is_dir():
        return
    mine = []
    for directory in folder.iterdir():
        if not TOKEN.match(directory.name) or not (directory / PENDING).exists():
            continue
        meta = _read_json(directory / META)
        if meta is not None and meta.get("uploader_id") == importer.id:
            mine.append((str(meta.get("uploaded_at", "")), directory.name, directory))
    for _uploaded, _name, directory in sorted(mine)[: max(0, len(mine) - MAX_OPEN_PER_PERSON + 1)]:
        shutil.rmtree(directory, ignore_errors=True)


def _write_bytes(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _write_json(path: Path, value: dict[str, Any]) -> None:
    """Write whole or not at all: a reader never sees half a file."""
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    _write_bytes(temporary, json.dumps(value, ensure_ascii=False).encode())
    os.replace(temporary, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
