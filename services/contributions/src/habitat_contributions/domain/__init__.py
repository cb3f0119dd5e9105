"""Pure domain model of contribution intake and review: standard library only."""
