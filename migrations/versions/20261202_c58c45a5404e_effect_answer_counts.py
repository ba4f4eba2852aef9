"""effect answer counts: anonymous counts per unit and month instead of a row per answer

Revision ID: c58c45a5404e
Revises: 4aef760071cb
Create Date: 2026-12-02 09:20:00.000000+00:00

Nothing wrote the effect tables of b040b4b4bbb1 yet, so they are dropped and made again: effect_answer (a row per
answer with a random key) becomes effect_answer_count (counts per unit, module, set, statement and month), and
effect_participation loses its id, its time and whether the person answered or skipped. Both new tables are keyed by
their own columns and, on SQLite, stored WITHOUT ROWID, so that neither an id nor the storage order follows the order
in which people answered (see elearning/models/effect.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import elearning.models.base

revision: str = "c58c45a5404e"
down_revision: str | None = "4aef760071cb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("effect_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_effect_answer_organisation_id"))
    op.drop_table("effect_answer")
    op.drop_table("effect_participation")

    op.create_table(
        "effect_answer_count",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("set_name", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("count_1", sa.Integer(), nullable=False),
        sa.Column("count_2", sa.Integer(), nullable=False),
        sa.Column("count_3", sa.Integer(), nullable=False),
        sa.Column("count_4", sa.Integer(), nullable=False),
        sa.Column("count_5", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "count_1 >= 0 AND count_2 >= 0 AND count_3 >= 0 AND count_4 >= 0 AND count_5 >= 0",
            name=op.f("ck_effect_answer_count_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation_unit.id"],
            name=op.f("fk_effect_answer_count_organisation_id_organisation_unit"),
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "module_slug", "set_name", "item_id", "month", name=op.f("pk_effect_answer_count")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "effect_participation",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("set_name", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_effect_participation_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "module_slug", "set_name", name=op.f("pk_effect_participation")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("effect_participation")
    op.drop_table("effect_answer_count")

    op.create_table(
        "effect_answer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("set", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_effect_answer_value_on_scale")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation_unit.id"],
            name=op.f("fk_effect_answer_organisation_id_organisation_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effect_answer")),
    )
    with op.batch_alter_table("effect_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_effect_answer_organisation_id"), ["organisation_id"], unique=False)
    op.create_table(
        "effect_participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("set", sa.String(length=16), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("at", elearning.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_effect_participation_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effect_participation")),
        sa.UniqueConstraint(
            "person_id", "module_slug", "set", name=op.f("uq_effect_participation_person_id_module_slug_set")
        ),
    )
