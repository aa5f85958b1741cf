"""What the batch benchmarks share: the process tree read from /proc, and generated cases."""

from __future__ import annotations

import json
from pathlib import Path

from evaluator import load_pack
from evaluator.maintain.synthetic import synthetic_case

PAGE = 4096


def processes() -> dict[int, tuple[int, int, str]]:
    """pid → (parent pid, resident bytes, state) of every process now."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[21]) * PAGE, fields[0])
    return table


def tree(root: int, table: dict[int, tuple[int, int, str]]) -> set[int]:
    """`root` and all its descendants (zombies left out)."""
    found, grew = {root}, True
    while grew:
        grew = False
        for pid, (ppid, _, state) in table.items():
            if ppid in found and pid not in found and state != "Z":
                found.add(pid)
                grew = True
    return found


def alive(pid: int) -> bool:
    entry = processes().get(pid)
    return entry is not None and entry[2] != "Z"


def synthetic_lines(count: int) -> list[str]:
    """`count` generated cases (both packs) as JSON Lines."""
    packs = [load_pack("gbt27922-2011"), load_pack("gbt27922-1000")]
    return [json.dumps(synthetic_case(s, packs[s % 10 == 0]), ensure_ascii=False) for s in range(count)]
