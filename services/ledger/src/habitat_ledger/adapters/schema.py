"""The `ledger` schema's MetaData, shared by every table module."""

from __future__ import annotations

from habitat_common.db import schema_metadata
from sqlalchemy import Numeric

SCHEMA = "ledger"
metadata = schema_metadata(SCHEMA)
MONEY = Numeric(14, 2, asdecimal=True)
