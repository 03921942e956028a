"""Alembic migrations of the site server (run by sync.db.migrate)."""
