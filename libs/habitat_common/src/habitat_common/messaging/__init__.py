"""Shared messaging adapters: topology, outbox, relay, inbox, consumers. No domain here."""
