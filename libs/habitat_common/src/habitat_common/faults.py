"""Fault points for the fault suite: kill this process, or fail one operation, at a named place in the code.

HABITAT_FAULT_POINTS names the points to arm, comma separated, each with an optional trigger:

    consumer.after_commit:after=50    SIGKILL the 50th time the point is reached
    relay.after_publish:every=10      SIGKILL the 10th, 20th, ... time (the first kill ends the process)
    consumer.after_commit:p=0.05      SIGKILL with probability 0.05 each time
    relay.after_publish               SIGKILL the first time

The same spec arms failure points (fault_failure): instead of a kill, the operation at that place fails
with InjectedFault, e.g. consumer.first_delivery:p=0.5 (half the messages fail their first delivery once).

Unset (production), fault_point() and fault_failure() are a dictionary lookup on an empty dict and nothing else.
"""

from __future__ import annotations

import os
import random
import signal
from dataclasses import dataclass

ENV = "HABITAT_FAULT_POINTS"


class InjectedFault(RuntimeError):
    """A failure the fault suite asked for; like any handler error, the consumer retries it later."""


class FaultSpecError(ValueError):
    """HABITAT_FAULT_POINTS could not be read; raised at import so a mistyped chaos run fails loudly."""


@dataclass
class _Trigger:
    after: int = 0
    every: int = 0
    probability: float = 0.0
    reached: int = 0

    def fires(self) -> bool:
        self.reached += 1
        if self.probability:
            return random.random() < self.probability
        if self.every:
            return self.reached % self.every == 0
        return self.reached == max(self.after, 1)


def parse(spec: str) -> dict[str, _Trigger]:
    """The armed points of a HABITAT_FAULT_POINTS value."""
    points: dict[str, _Trigger] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, trigger = item.partition(":")
        key, _, value = trigger.partition("=")
        try:
            if not trigger:
                points[name] = _Trigger()
            elif key == "after" and int(value) >= 1:
                points[name] = _Trigger(after=int(value))
            elif key == "every" and int(value) >= 1:
                points[name] = _Trigger(every=int(value))
            elif key == "p" and 0.0 < float(value) <= 1.0:
                points[name] = _Trigger(probability=float(value))
            else:
                raise ValueError(trigger)
        except ValueError:
            raise FaultSpecError(f"{ENV}: cannot read {item!r} (use name, name:after=N, name:every=N or name:p=X)")
    return points


_ARMED = parse(os.environ.get(ENV, ""))


def fault_point(name: str) -> None:
    """Kill this process with SIGKILL (no cleanup, as a power cut) when HABITAT_FAULT_POINTS arms `name`
    and its trigger fires; otherwise do nothing."""
    trigger = _ARMED.get(name)
    if trigger is not None and trigger.fires():
        os.kill(os.getpid(), signal.SIGKILL)


def fault_failure(name: str) -> None:
    """Raise InjectedFault when HABITAT_FAULT_POINTS arms `name` and its trigger fires; otherwise do nothing."""
    trigger = _ARMED.get(name)
    if trigger is not None and trigger.fires():
        raise InjectedFault(f"fault point {name} armed by {ENV}")
