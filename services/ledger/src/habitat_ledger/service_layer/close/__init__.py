"""Closing a period: seals, patronage allocations proposed, approved and posted."""
