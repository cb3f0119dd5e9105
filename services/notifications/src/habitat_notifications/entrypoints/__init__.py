"""The HTTP process and the worker."""
