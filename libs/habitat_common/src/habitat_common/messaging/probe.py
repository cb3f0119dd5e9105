"""Broker reachability for /readyz, for processes that do not otherwise hold a broker connection."""

from __future__ import annotations

import asyncio

import aio_pika


async def broker_is_reachable(url: str, timeout: float = 2.0) -> bool:
    try:
        connection = await asyncio.wait_for(aio_pika.connect(url), timeout=timeout)
    except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
        return False
    await connection.close()
    return True
