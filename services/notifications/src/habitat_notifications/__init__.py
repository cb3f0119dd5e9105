"""Habitat notifications: mail written first, sent by a loop with retries, recorded."""
