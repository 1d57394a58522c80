"""Alembic migrations (run with ``verdict db upgrade`` or :func:`verdict.db.upgrade`)."""
