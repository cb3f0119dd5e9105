"""Distributions of allocated patronage and the money moves a second admin approves."""
