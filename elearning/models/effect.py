"""Effect measurement: anonymous counts of answers per unit and month, and per person only that a set is done.

Why counts and not a row per answer: a row per answer, even without a person, can be linked back. Its position in
the table (SQLite's rowid, PostgreSQL's heap order) or an increasing id follows the order of writing, which an
administrator can line up with the lesson and completion rows written in the same second; an exact time joins it to
them directly. So nothing here has a person, a time of day or an id that grows:

- `EffectAnswerCount` is one row per unit, module, set, statement and **month**, holding how many people chose 1,
  2, 3, 4 or 5. An answer adds 1 to a count. One person's answers to several statements are not tied together, and
  a row mixes everyone of that unit who answered in that month. The key is the row's own columns (no id), and on
  SQLite the table is stored WITHOUT ROWID, in key order, not in the order of writing.
- `EffectParticipation` says that a person answered or skipped a set of a module, so that it is offered once. It
  holds no answer, no time and not whether the person answered or skipped, and is also stored in key order.

Both are written in one transaction (services/effect.py). What remains: in a unit where only one person answered a
set in a month, that month's counts are that person's answers, and whoever can read the database and knows who
finished the module that month can read them. Reports never show groups of fewer than k people (see
docs/reporting.md); the database itself is for administrators bound by their duty of confidentiality.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class EffectAnswerCount(Base):
    """How many people of one unit chose each value of the 1-5 scale for one statement, in one month."""

    __tablename__ = "effect_answer_count"
    __table_args__ = (
        CheckConstraint(
            "count_1 >= 0 AND count_2 >= 0 AND count_3 >= 0 AND count_4 >= 0 AND count_5 >= 0",
            name="counts_not_negative",
        ),
        {"sqlite_with_rowid": False},
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"), primary_key=True)
    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    set_name: Mapped[str] = mapped_column(String(16), primary_key=True)  # pre, post or follow-up
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # the first day of the month the answers were given
    count_1: Mapped[int] = mapped_column(Integer, default=0)
    count_2: Mapped[int] = mapped_column(Integer, default=0)
    count_3: Mapped[int] = mapped_column(Integer, default=0)
    count_4: Mapped[int] = mapped_column(Integer, default=0)
    count_5: Mapped[int] = mapped_column(Integer, default=0)


class EffectParticipation(Base):
    """That a person is done with one set of one module (answered or skipped: not which); never the answers."""

    __tablename__ = "effect_participation"
    __table_args__ = ({"sqlite_with_rowid": False},)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    set_name: Mapped[str] = mapped_column(String(16), primary_key=True)
