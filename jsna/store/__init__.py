"""The jsna store: SQLite by default, PostgreSQL for teams (SQLAlchemy Core + Alembic)."""
