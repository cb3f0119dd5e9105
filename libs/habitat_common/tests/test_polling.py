"""PollingTask: repeats its step, keeps going after a failing step, stops when asked."""

import asyncio

from habitat_common.messaging.polling import PollingTask


async def test_a_full_batch_runs_again_at_once_and_a_failure_does_not_end_the_loop():
    calls: list[str] = []
    outcomes = iter(["full", "full", "fail", "some", "none"])

    async def step() -> int:
        outcome = next(outcomes, "none")
        calls.append(outcome)
        if outcome == "fail":
            raise RuntimeError("database went away")
        return {"full": 10, "some": 3, "none": 0}[outcome]

    task = PollingTask("test-loop", step, interval_seconds=0.01, batch_size=10)
    await task.start()
    for _ in range(300):
        if len(calls) >= 5:
            break
        await asyncio.sleep(0.01)
    assert task.is_running()
    await task.stop()
    assert not task.is_running()
    assert calls[:5] == ["full", "full", "fail", "some", "none"]


async def test_stop_returns_while_the_loop_is_waiting():
    async def idle() -> int:
        return 0

    task = PollingTask("idle-loop", idle, interval_seconds=0.05, batch_size=1)
    await task.start()
    await asyncio.sleep(0.1)
    await asyncio.wait_for(task.stop(), timeout=10)  # generous: a slow machine only takes longer
    assert not task.is_running()


async def test_measure_runs_after_a_step_at_most_once_a_second():
    steps = measures = 0

    async def step() -> int:
        nonlocal steps
        steps += 1
        return 1  # always a full batch: the loop never waits

    async def measure() -> None:
        nonlocal measures
        measures += 1

    task = PollingTask("measured-loop", step, interval_seconds=0.01, batch_size=1, measure=measure)
    await task.start()
    deadline = asyncio.get_running_loop().time() + 10  # eventually: a slow machine just takes longer
    while steps <= 10 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    await task.stop()
    assert steps > 10 and measures == 1  # well under a second of steps: measured once
