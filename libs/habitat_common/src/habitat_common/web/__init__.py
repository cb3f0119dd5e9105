"""FastAPI building blocks shared by every HTTP entrypoint."""
