"""widen the team/objective index of answer so /weakspots' wrong choices read it alone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:15:00.000000

``team_wrong_choices`` (the misconception line of ``/weakspots``) groups a team's wrong answers to its
weakest objectives by question and option. ``ix_answer_team_objective`` (team, objective, correct) found the
rows but every one then cost a look-up in the table for its question and option (8.1 ms for a team of
2,500 with a year of answers, raw SQLite); with both in the index it is read alone (0.8 ms). The new index
starts with the old one's columns, so what used the old one can use it; the old one goes (every answer
insert paid for both). A plain index swap: no table rebuild on SQLite, so 0009's triggers stay.
"""

from __future__ import annotations

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_answer_team_objective_choice',
        'answer',
        ['team_id', 'objective_id', 'correct', 'question_id', 'option'],
        unique=False,
    )
    op.drop_index('ix_answer_team_objective', table_name='answer')


def downgrade() -> None:
    op.create_index('ix_answer_team_objective', 'answer', ['team_id', 'objective_id', 'correct'], unique=False)
    op.drop_index('ix_answer_team_objective_choice', table_name='answer')
