"""The journal and accounts: double-entry transactions, capital accounts, contributions booked, members."""
