"""enrolment reporting facts: unit, started, superseded, binding

Revision ID: 4c082bae9c05
Revises: 1f0850997403
Create Date: 2026-12-01 20:27:42.864975+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import elearning.models.base

revision: str = '4c082bae9c05'
down_revision: str | None = '1f0850997403'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_EFFECT_NOW = 'withdrawn_at IS NULL AND superseded_at IS NULL AND is_primary'

BACKFILL = [
    # The unit: the person's, or for a person without one the assignment's.
    """UPDATE enrolment SET organisation_id = COALESCE(
        (SELECT person.organisation_id FROM person WHERE person.id = enrolment.person_id),
        (SELECT assignment.organisation_id FROM assignment WHERE assignment.id = enrolment.assignment_id))""",
    # Superseded when a later cycle of the same duty was opened.
    """UPDATE enrolment SET superseded_at = (
        SELECT MIN(later.enrolled_at) FROM enrolment AS later
        WHERE later.assignment_id = enrolment.assignment_id AND later.person_id = enrolment.person_id
          AND later.cycle > enrolment.cycle)""",
    # Started: the first lesson done during this duty's cycle, else the completion.
    """UPDATE enrolment SET started_at = COALESCE(
        (SELECT MIN(lesson_progress.completed_at) FROM lesson_progress JOIN assignment
           ON assignment.module_slug = lesson_progress.module_slug
         WHERE assignment.id = enrolment.assignment_id AND lesson_progress.person_id = enrolment.person_id
           AND (enrolment.counts_from IS NULL OR lesson_progress.completed_at > enrolment.counts_from)),
        enrolment.completed_at)""",
    # Of two running duties for one module, the one due first binds (then the older one).
    """UPDATE enrolment SET is_primary = NOT EXISTS (
        SELECT 1 FROM enrolment AS other
        JOIN assignment AS other_assignment ON other_assignment.id = other.assignment_id
        JOIN assignment AS own ON own.id = enrolment.assignment_id
        WHERE other.person_id = enrolment.person_id AND other.id <> enrolment.id
          AND other_assignment.module_slug = own.module_slug
          AND other.withdrawn_at IS NULL AND other.superseded_at IS NULL
          AND (other.due_on < enrolment.due_on OR (other.due_on = enrolment.due_on AND other.id < enrolment.id)))""",
]


def upgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('started_at', elearning.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('superseded_at', elearning.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_primary', sa.Boolean(), server_default=sa.true(), nullable=False))
    for statement in BACKFILL:
        op.execute(statement)
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_enrolment_organisation_id_assignment_id', ['organisation_id', 'assignment_id'], unique=False)
        batch_op.create_index('ix_enrolment_report_now', ['organisation_id', 'assignment_id', 'completed_at', 'started_at', 'due_on', 'cycle', 'person_id'], unique=False, sqlite_where=sa.text(IN_EFFECT_NOW), postgresql_where=sa.text(IN_EFFECT_NOW))
        batch_op.create_foreign_key(batch_op.f('fk_enrolment_organisation_id_organisation_unit'), 'organisation_unit', ['organisation_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_enrolment_organisation_id_organisation_unit'), type_='foreignkey')
        batch_op.drop_index('ix_enrolment_report_now', sqlite_where=sa.text(IN_EFFECT_NOW), postgresql_where=sa.text(IN_EFFECT_NOW))
        batch_op.drop_index('ix_enrolment_organisation_id_assignment_id')
        batch_op.drop_column('is_primary')
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('organisation_id')
