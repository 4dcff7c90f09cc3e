"""A cache of seeded SQLite databases (``--cache DIR``): seeding at ``--scale 1`` takes minutes, copying a
file seconds. An entry is keyed by the seeding plan and the source of ``bench/seed.py``; the schema is
brought up to date by the usual migration when the copy is opened, so a new index is built on it too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

from bench.seed import Seeded, SeedPlan

__all__ = ["restore", "save"]


def _key(plan: SeedPlan) -> str:
    source = (Path(__file__).resolve().parent / "seed.py").read_bytes()
    return hashlib.sha256(repr(plan).encode() + source).hexdigest()[:16]


def _paths(directory: Path, plan: SeedPlan) -> tuple[Path, Path]:
    key = _key(plan)
    return directory / f"seeded-{key}.db", directory / f"seeded-{key}.json"


def restore(directory: Path, plan: SeedPlan, db_path: Path) -> Seeded | None:
    """Copy a cached database for ``plan`` to ``db_path`` (which must not exist yet); None if there is none."""
    db, meta = _paths(directory, plan)
    if not (db.exists() and meta.exists()):
        return None
    shutil.copyfile(db, db_path)
    return Seeded(**json.loads(meta.read_text()))


def save(directory: Path, plan: SeedPlan, db_path: Path, seeded: Seeded) -> None:
    """Store a consistent copy of the freshly seeded database (SQLite's online backup) and its metadata."""
    directory.mkdir(parents=True, exist_ok=True)
    db, meta = _paths(directory, plan)
    partial = db.with_suffix(".partial")
    source, target = sqlite3.connect(db_path), sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    partial.replace(db)
    meta.write_text(json.dumps(dataclasses.asdict(seeded)))
