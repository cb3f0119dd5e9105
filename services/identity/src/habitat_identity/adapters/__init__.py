"""Implementations of the identity ports: PostgreSQL, argon2, Ed25519 keys."""
