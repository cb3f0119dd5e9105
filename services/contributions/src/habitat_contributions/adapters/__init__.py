"""Implementations of the ports: SQLAlchemy, outbox, translators."""
