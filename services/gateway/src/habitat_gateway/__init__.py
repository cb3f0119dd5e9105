"""Habitat's gateway: public API under /api/v1 and the web UI."""
