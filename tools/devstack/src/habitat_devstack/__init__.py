"""Local process orchestration for Habitat: migrate, start, stop, seed."""
