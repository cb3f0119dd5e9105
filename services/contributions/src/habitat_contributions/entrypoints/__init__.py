"""HTTP API and worker process."""
