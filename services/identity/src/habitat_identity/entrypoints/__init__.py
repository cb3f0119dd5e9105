"""Processes of the identity service: HTTP API, worker, command line."""
