"""Pure domain model of the mail Habitat sends: standard library only."""
