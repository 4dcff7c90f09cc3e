"""Storage: SQLModel tables, the SQL implementation of the core's Store port, Alembic migrations."""
