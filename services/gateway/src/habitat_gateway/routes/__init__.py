"""Routes of the public API (/api/v1) and the web UI."""
