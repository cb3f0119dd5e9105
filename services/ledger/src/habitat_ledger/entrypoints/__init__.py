"""Process entrypoints: the HTTP API and the event worker."""
