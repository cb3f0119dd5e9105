"""Habitat contributions service."""
