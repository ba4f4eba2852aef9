"""INSERT ... ON CONFLICT DO NOTHING on both SQLite and PostgreSQL: safe under double clicks and races."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from ..models import Base


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any], conflict: list[str]) -> bool:
    """Insert one row unless a row with the same `conflict` columns exists; True when it was inserted."""
    statement = _statement(session.get_bind().dialect.name, model, tuple(values), tuple(conflict))
    session.flush()  # what session.execute would autoflush: pending rows this one may refer to
    # Core, on the session's connection and transaction: the ORM's bulk-insert layer would add more than the insert
    # costs. RETURNING, not rowcount: psycopg reports rowcount -1 for statements that return rows.
    return session.connection().execute(statement, values).first() is not None


@lru_cache(maxsize=256)
def _statement(dialect: str, model: type[Base], columns: tuple[str, ...], conflict: tuple[str, ...]) -> Insert:
    """Built once per table and column set: building a statement costs more than running it on a hot path."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        builder(model)
        .values({column: bindparam(column) for column in columns})
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(*inspect(model).primary_key)
    )
