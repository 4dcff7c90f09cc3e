"""answer index for a team's recent answers per objective (the daily question's weighting)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 20:20:00.000000

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(
            'ix_answer_team_objective_window',
            ['team_id', 'objective_id', 'answered_at', 'correct'],
            unique=False,
            sqlite_where=sa.text("objective_id > ''"),
            postgresql_where=sa.text("objective_id > ''"),
        )


def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_team_objective_window')
