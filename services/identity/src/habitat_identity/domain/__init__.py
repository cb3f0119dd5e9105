"""Pure identity domain: members, refresh tokens, password policy, events and errors."""
