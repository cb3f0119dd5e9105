"""CPU time by process for the benches, read from /proc: each stack process with its children (uvicorn workers),
the PostgreSQL backends connected to the bench's database and, on request, the rest of PostgreSQL and RabbitMQ."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = set(), [pid]
    while todo:
        tree.add(current := todo.pop())
        todo += children.get(current, [])
    return tree


def _commands() -> dict[int, str]:
    commands = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
    return commands


def _is_backend(command: str, database: str) -> bool:
    return command.startswith("postgres: ") and f" {database} " in command


def _cpu_by_pid(pids: set[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone since it was listed
        seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    return seconds


class CpuMeter:
    """CPU seconds each stack process (with its uvicorn workers) and the database's backends spent between two
    snapshots; with servers=True also the whole PostgreSQL server apart from those backends (WAL writer,
    checkpointer, autovacuum, other databases) and RabbitMQ (every beam.smp): the box must be otherwise quiet.
    Processes are counted per pid, so a backend that started meanwhile counts whole and one that ended
    meanwhile is missed (never negative)."""

    def __init__(self, pids: dict[str, int], database: str, *, servers: bool = False) -> None:
        self.trees = {name: _process_tree(pid) for name, pid in pids.items()}
        self.database = database
        self.servers = servers

    def _groups(self) -> dict[str, set[int]]:
        commands = _commands()
        postgres = {pid for pid, command in commands.items() if command.startswith("postgres")}
        backends = {pid for pid in postgres if _is_backend(commands[pid], self.database)}
        groups = dict(self.trees) | {"postgres": backends}
        if self.servers:
            groups["postgres (server)"] = postgres - backends
            groups["rabbitmq"] = {pid for pid, command in commands.items() if "beam.smp" in command.split("\0")[0]}
        return groups

    def snapshot(self) -> dict[str, dict[int, float]]:
        """CPU seconds so far of each process, by group."""
        return {name: _cpu_by_pid(pids) for name, pids in self._groups().items()}

    @staticmethod
    def used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        """CPU seconds each group spent between the snapshots."""
        return {
            name: sum(seconds - before.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items())
            for name, pids in after.items()
        }
