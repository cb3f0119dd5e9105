"""Periods and the lock date: the calendar every dated booking is checked against (below the journal)."""
