"""Use cases of the ledger and the ports they need."""
