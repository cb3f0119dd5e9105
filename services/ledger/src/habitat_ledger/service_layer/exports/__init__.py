"""What leaves the ledger: hledger journals, K-1s, statements, documents and integrity checks."""
