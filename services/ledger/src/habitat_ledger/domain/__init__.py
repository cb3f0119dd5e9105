"""The ledger's pure domain model: standard library only."""
