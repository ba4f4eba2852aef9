"""INSERT ... ON CONFLICT DO NOTHING on both SQLite and PostgreSQL: safe under double clicks and races."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Base


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any], conflict: list[str]) -> bool:
    """Insert one row unless a row with the same `conflict` columns exists; True when it was inserted."""
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        builder(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
        .returning(*inspect(model).primary_key)
    )
    # RETURNING, not rowcount: psycopg reports rowcount -1 for statements that return rows.
    return session.execute(statement).first() is not None
