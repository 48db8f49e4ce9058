"""The SQLModel classes mirror the migrated schema: same tables, columns and nullability."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import SQLModel

import invtui.db.models  # noqa: F401  (registers the tables)
from invtui.db.engine import Database

NOT_MODELLED = {"schema_migrations"}


def test_every_table_has_a_model_and_every_model_a_table(db: Database) -> None:
    in_db = set(inspect(db.engine).get_table_names()) - NOT_MODELLED
    assert in_db == set(SQLModel.metadata.tables)


def test_columns_and_nullability_agree(db: Database) -> None:
    inspector = inspect(db.engine)
    differences = []
    for name, table in SQLModel.metadata.tables.items():
        in_db = {c["name"]: c["nullable"] for c in inspector.get_columns(name)}
        in_model = {c.name: c.nullable for c in table.columns}
        if in_db != in_model:
            differences.append((name, sorted(set(in_db.items()) ^ set(in_model.items()))))
    assert differences == []
