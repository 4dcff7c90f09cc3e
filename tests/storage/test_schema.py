"""The migrated database has the indexes the table models declare (and no others), on SQLite and PostgreSQL:
a query planned against the models' indexes finds them in a deployment upgraded by Alembic."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers every table model)
from storage.db import create_engine, dispose
from storage.migrate import upgrade_async


async def test_migrations_create_the_indexes_the_models_declare(any_db_url: str) -> None:
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    try:
        async with engine.connect() as conn:

            def indexes(sync_conn: Any) -> dict[str, dict[str, tuple[str, ...]]]:
                found = inspect(sync_conn)
                return {
                    t: {
                        ix["name"]: tuple(ix["column_names"])
                        for ix in found.get_indexes(t)
                        # PostgreSQL lists the index behind each unique constraint too
                        if ix["name"] and not ix.get("duplicates_constraint")
                    }
                    for t in SQLModel.metadata.tables
                }

            migrated = await conn.run_sync(indexes)
    finally:
        await dispose(engine)
    declared = {
        name: {ix.name: tuple(c.name for c in ix.columns) for ix in table.indexes if ix.name}
        for name, table in SQLModel.metadata.tables.items()
    }
    assert migrated == declared
    # the index /weakspots' wrong choices are read from alone
    assert migrated["answer"]["ix_answer_team_objective_choice"] == (
        "team_id",
        "objective_id",
        "correct",
        "question_id",
        "option",
    )
