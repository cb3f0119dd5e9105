"""Habitat ledger service: periods, capital accounts, the double-entry journal and patronage."""
