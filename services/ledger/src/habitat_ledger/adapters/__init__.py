"""Adapters implementing the ledger's ports with SQLAlchemy, and contract translation."""
