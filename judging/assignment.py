"""Assigning judges to finalists, as a pure function: no database.

Each finalist needs `k` judges; a judge never judges a finalist they are
conflicted with (a declared conflict or membership of the organisation).
Judges' loads are balanced: after filling every finalist, assignments are
moved along chains (judge A hands a finalist to C, C hands another to B)
until no judge has two or more finalists more than another judge could
take over, so loads differ by at most one wherever conflicts allow it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class Plan:
    """Judges per finalist, and why a finalist could not get k judges."""

    judges_of: dict[Hashable, list[Hashable]]
    shortfalls: dict[Hashable, str] = field(default_factory=dict)

    def load(self) -> dict[Hashable, int]:
        counts: dict[Hashable, int] = {}
        for judges in self.judges_of.values():
            for judge in judges:
                counts[judge] = counts.get(judge, 0) + 1
        return counts


def plan_assignments(
    *,
    finalists: Sequence[Hashable],
    judges: Sequence[Hashable],
    k: int,
    conflicts: Iterable[tuple[Hashable, Hashable]] = (),
    existing: Iterable[tuple[Hashable, Hashable]] = (),
    fixed: Iterable[tuple[Hashable, Hashable]] = (),
) -> Plan:
    """Plan (judge, finalist) pairs: every finalist gets k judges where it
    can, keeping `existing` pairs; pairs in `fixed` (say, scoring already
    started) are never moved. Deterministic for the same input order."""
    conflicted = set(conflicts)
    order = {judge: index for index, judge in enumerate(judges)}
    judges_of: dict[Hashable, list[Hashable]] = {f: [] for f in finalists}
    for judge, finalist in existing:
        if finalist in judges_of and judge in order and judge not in judges_of[finalist]:
            judges_of[finalist].append(judge)
    locked = set(fixed)
    load = dict.fromkeys(judges, 0)
    for assigned in judges_of.values():
        for judge in assigned:
            load[judge] += 1

    def eligible(finalist):
        return [j for j in judges if (j, finalist) not in conflicted]

    shortfalls = {}
    # Most constrained finalists first: they have the fewest judges to choose from.
    for finalist in sorted(finalists, key=lambda f: (len(eligible(f)), finalists.index(f))):
        assigned = judges_of[finalist]
        candidates = [j for j in eligible(finalist) if j not in assigned]
        while len(assigned) < k and candidates:
            best = min(candidates, key=lambda j: (load[j], order[j]))
            assigned.append(best)
            load[best] += 1
            candidates.remove(best)
        if len(assigned) < k:
            blocked = [j for j in judges if (j, finalist) in conflicted]
            shortfalls[finalist] = (
                f"needs {k} judges but only {len(eligible(finalist))} of the {len(judges)} on the panel can judge it"
                + (f" ({len(blocked)} conflicted)" if blocked else "")
            )

    _balance(judges_of, judges, conflicted, locked, order)
    return Plan(judges_of=judges_of, shortfalls=shortfalls)


def _balance(judges_of, judges, conflicted, locked, order) -> None:
    """Move assignments along chains from the busiest judge to a judge with
    at least two fewer, while such a chain exists."""
    while True:
        load = dict.fromkeys(judges, 0)
        holders: dict[Hashable, set[Hashable]] = {judge: set() for judge in judges}
        for finalist, assigned in judges_of.items():
            for judge in assigned:
                load[judge] += 1
                holders[judge].add(finalist)
        moved = False
        for source in sorted(judges, key=lambda j: (-load[j], order[j])):
            path = _chain(source, load, holders, judges_of, judges, conflicted, locked, order)
            if path:
                for giver, finalist, taker in path:
                    judges_of[finalist].remove(giver)
                    judges_of[finalist].append(taker)
                moved = True
                break
        if not moved:
            return


def _chain(source, load, holders, judges_of, judges, conflicted, locked, order):
    """Breadth-first search for a chain source → … → target where the target
    has at least two fewer finalists than the source. Returns the moves."""
    previous = {source: None}
    queue = deque([source])
    while queue:
        giver = queue.popleft()
        for finalist in sorted(holders[giver], key=str):
            if (giver, finalist) in locked:
                continue
            for taker in sorted(judges, key=lambda j: order[j]):
                if taker in previous or taker in judges_of[finalist] or (taker, finalist) in conflicted:
                    continue
                previous[taker] = (giver, finalist)
                if load[taker] <= load[source] - 2:
                    moves = []
                    node = taker
                    while previous[node] is not None:
                        prior, moved_finalist = previous[node]
                        moves.append((prior, moved_finalist, node))
                        node = prior
                    return list(reversed(moves))
                queue.append(taker)
    return None
