"""Process-level tuning every service applies once it has started."""

from __future__ import annotations

import gc


def settle_startup_objects() -> None:
    """Move everything alive after start-up (modules, mappers, metadata, pools) out of the cyclic GC's way.

    A full collection walks every tracked object; a service keeps hundreds of thousands of them
    for its whole life, so work that allocates a lot (a period close over 10,000 members) paid
    for walking them again and again. Frozen objects are never collected, which is what they are.
    """
    gc.collect()
    gc.freeze()
