"""answer.prev_at: the week's first attempts read from one index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 20:20:00.000000

Every answer gets the time of the same person's previous answer to the same question (by time, then id);
an answer is then the first attempt of a window [start, end) iff it lies in it and ``prev_at`` is NULL or
before ``start``, whatever the window and its time zone. The backfill computes it from the existing answers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.tables


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE answer SET prev_at = linked.prev
FROM (
    SELECT id, LAG(answered_at) OVER (PARTITION BY person_id, question_id ORDER BY answered_at, id) AS prev
    FROM answer
) AS linked
WHERE linked.id = answer.id AND linked.prev IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_at', storage.tables.UTCDateTime(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_ws_time')
        batch_op.create_index(
            'ix_answer_ws_week',
            ['workspace_id', 'answered_at', 'team_id', 'person_id', 'topic_id', 'correct', 'prev_at'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_ws_week')
        batch_op.create_index('ix_answer_ws_time', ['workspace_id', 'answered_at'], unique=False)
        batch_op.drop_column('prev_at')
