"""The reads bench's reference: a minimal FastAPI + asyncpg handler returning a member's newest contributions.

Started by bench/reads.py under uvicorn (same worker count as the services); no auth, no ORM, no
response model: the floor a Habitat read path is compared with.
"""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

QUERY = (
    "SELECT id, member_id, period_id, type::text, contributed_on, description, value, book_amount, tax_amount,"
    " hours, rate, amount, fair_market_value, adjusted_basis, status::text, submitted_at, decided_at, decided_by,"
    " decision_note, corrects_contribution_id, import_reference, approvals_required"
    " FROM contributions.contribution WHERE member_id = $1 ORDER BY submitted_at DESC, id DESC LIMIT $2"
)


def create_app() -> FastAPI:
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        pool["db"] = await asyncpg.create_pool(os.environ["READS_REFERENCE_DSN"], min_size=2, max_size=10)
        yield
        await pool["db"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/contributions")
    async def contributions(member_id: uuid.UUID, limit: int = 50):
        rows = await pool["db"].fetch(QUERY, member_id, limit)
        return {"items": [dict(row) for row in rows], "total": len(rows)}

    @app.get("/readyz")
    async def ready():
        return {"status": "ok"}

    return app
