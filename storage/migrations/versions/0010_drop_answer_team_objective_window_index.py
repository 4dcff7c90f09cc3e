"""drop the answer index of 0008: the daily question's weighting reads the day totals of 0009

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 11:50:00.000000

``team_objective_stats_since`` now reads ``team_objective_day`` (whole days) and the answers of the
window's partial first day (``ix_answer_team_time``), so no query uses ``ix_answer_team_objective_window``,
and every answer insert paid for it. A plain ``DROP INDEX`` (no table rebuild on SQLite, so 0009's
triggers stay).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_answer_team_objective_window', table_name='answer')


def downgrade() -> None:
    op.create_index(
        'ix_answer_team_objective_window',
        'answer',
        ['team_id', 'objective_id', 'answered_at', 'correct'],
        unique=False,
        sqlite_where=sa.text("objective_id > ''"),
        postgresql_where=sa.text("objective_id > ''"),
    )
