"""The `habitat` admin command line; it talks only to the gateway's public API under /api/v1."""
