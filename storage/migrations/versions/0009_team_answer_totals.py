"""team answer totals kept by triggers: /weakspots reads totals, not the years of answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:30:00.000000

Three tables (``storage/tables/totals.py``): a team's right/answers per objective, per objective and UTC
day, and per member and topic. Triggers on ``answer`` keep them: an insert adds the answer, a delete takes
it out, an update of a counted column (team, person, objective, topic, correct, time) does both; a row
whose count reaches zero is deleted; answers without a team are not counted. SQLite runs row triggers;
PostgreSQL runs statement triggers over the transition tables, which sum a statement's rows first and
write each total once, in key order (two transactions touching the same totals lock them in one order).
The backfill sums the answers already stored.

A later migration that rebuilds ``answer`` on SQLite (``batch_alter_table`` with ``recreate``) drops the
triggers with the old table and must create them again (``create_triggers``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# (table, its key columns, how each is computed from an answer row "r") per dialect
_DAY = {"sqlite": "date({r}.answered_at)", "postgresql": "({r}.answered_at)::date"}
_RIGHT = {"sqlite": "{r}.correct", "postgresql": "({r}.correct)::int"}


def _totals(dialect: str) -> list[tuple[str, list[tuple[str, str]]]]:
    day = _DAY[dialect]
    return [
        ("team_objective_total", [("team_id", "{r}.team_id"), ("objective_id", "{r}.objective_id")]),
        ("team_objective_day", [("team_id", "{r}.team_id"), ("day", day), ("objective_id", "{r}.objective_id")]),
        (
            "team_member_topic_total",
            [("team_id", "{r}.team_id"), ("person_id", "{r}.person_id"), ("topic_id", "{r}.topic_id")],
        ),
    ]


COUNTED = ("team_id", "person_id", "objective_id", "topic_id", "correct", "answered_at")


def _sqlite_add(table: str, keys: list[tuple[str, str]], r: str, sign: str) -> str:
    cols = ", ".join(k for k, _ in keys)
    values = ", ".join(e.format(r=r) for _, e in keys)
    right = _RIGHT["sqlite"].format(r=r)
    return (
        f"INSERT INTO {table} ({cols}, n_right, n) VALUES ({values}, {sign}{right}, {sign}1) "
        f"ON CONFLICT ({cols}) DO UPDATE SET n_right = n_right + excluded.n_right, n = n + excluded.n;"
    )


def _sqlite_drop_empty(table: str, keys: list[tuple[str, str]], r: str) -> str:
    match = " AND ".join(f"{k} = {e.format(r=r)}" for k, e in keys)
    return f"DELETE FROM {table} WHERE {match} AND n = 0;"


def _sqlite_triggers() -> list[str]:
    totals = _totals("sqlite")
    add_new = " ".join(_sqlite_add(t, k, "NEW", "") for t, k in totals)
    take_old = " ".join(_sqlite_add(t, k, "OLD", "-") + " " + _sqlite_drop_empty(t, k, "OLD") for t, k in totals)
    of = ", ".join(COUNTED)
    return [
        f"CREATE TRIGGER answer_totals_insert AFTER INSERT ON answer WHEN NEW.team_id IS NOT NULL "
        f"BEGIN {add_new} END",
        f"CREATE TRIGGER answer_totals_delete AFTER DELETE ON answer WHEN OLD.team_id IS NOT NULL "
        f"BEGIN {take_old} END",
        f"CREATE TRIGGER answer_totals_update_old AFTER UPDATE OF {of} ON answer WHEN OLD.team_id IS NOT NULL "
        f"BEGIN {take_old} END",
        f"CREATE TRIGGER answer_totals_update_new AFTER UPDATE OF {of} ON answer WHEN NEW.team_id IS NOT NULL "
        f"BEGIN {add_new} END",
    ]


def _pg_function(name: str, sources: list[tuple[str, str]]) -> str:
    """A statement trigger's function: the rows of ``sources`` ((transition table, sign)) summed per total."""
    statements = []
    for table, keys in _totals("postgresql"):
        cols = ", ".join(k for k, _ in keys)
        parts = " UNION ALL ".join(
            f"SELECT {', '.join(e.format(r='r') + ' AS ' + k for k, e in keys)}, "
            f"{sign}{_RIGHT['postgresql'].format(r='r')} AS n_right, {sign}1 AS n "
            f"FROM {rows} AS r WHERE r.team_id IS NOT NULL"
            for rows, sign in sources
        )
        delta = f"SELECT {cols}, sum(n_right) AS n_right, sum(n) AS n FROM ({parts}) AS d GROUP BY {cols}"
        statements.append(
            f"INSERT INTO {table} AS t ({cols}, n_right, n) SELECT {cols}, n_right, n FROM ({delta}) AS g "
            f"WHERE n <> 0 OR n_right <> 0 ORDER BY {cols} "
            f"ON CONFLICT ({cols}) DO UPDATE SET n_right = t.n_right + excluded.n_right, n = t.n + excluded.n;"
        )
        if any(sign == "-" for _, sign in sources):
            statements.append(f"DELETE FROM {table} WHERE n = 0 AND ({cols}) IN (SELECT {cols} FROM ({delta}) AS g);")
    body = "\n  ".join(statements)
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  {body}\n  RETURN NULL;\nEND\n$$"
    )


_PG = [
    ("answer_totals_insert", "INSERT", "REFERENCING NEW TABLE AS new_rows", [("new_rows", "")]),
    ("answer_totals_delete", "DELETE", "REFERENCING OLD TABLE AS old_rows", [("old_rows", "-")]),
    (
        "answer_totals_update",
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        [("old_rows", "-"), ("new_rows", "")],
    ),
]


def _pg_triggers() -> list[str]:
    out = []
    for name, event, referencing, sources in _PG:
        out.append(_pg_function(name, sources))
        out.append(
            f"CREATE TRIGGER {name} AFTER {event} ON answer {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return out


def create_triggers(dialect: str) -> None:
    for statement in _sqlite_triggers() if dialect == "sqlite" else _pg_triggers():
        op.execute(statement)


def _drop_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER IF EXISTS answer_totals_{name}")
    else:
        for name, _event, _ref, _src in _PG:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON answer")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _backfill(dialect: str) -> None:
    for table, keys in _totals(dialect):
        cols = ", ".join(k for k, _ in keys)
        exprs = ", ".join(e.format(r="answer") for _, e in keys)
        right = _RIGHT[dialect].format(r="answer")
        op.execute(
            f"INSERT INTO {table} ({cols}, n_right, n) SELECT {exprs}, sum({right}), count(*) FROM answer "
            f"WHERE answer.team_id IS NOT NULL GROUP BY {exprs}"
        )


def upgrade() -> None:
    op.create_table(
        'team_objective_total',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('objective_id', sa.String(length=8), nullable=False),
        sa.Column('n_right', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'objective_id'),
    )
    op.create_table(
        'team_objective_day',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('objective_id', sa.String(length=8), nullable=False),
        sa.Column('n_right', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'day', 'objective_id'),
    )
    op.create_table(
        'team_member_topic_total',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.String(length=2), nullable=False),
        sa.Column('n_right', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'person_id', 'topic_id'),
    )
    dialect = op.get_bind().dialect.name
    _backfill(dialect)
    create_triggers(dialect)


def downgrade() -> None:
    _drop_triggers(op.get_bind().dialect.name)
    op.drop_table('team_member_topic_total')
    op.drop_table('team_objective_day')
    op.drop_table('team_objective_total')
