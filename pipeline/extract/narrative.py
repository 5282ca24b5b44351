"""A narrative act matched to its template: the fixed words of the act found in order
among the OCR words, fuzzily, and each slot given the words between its neighbours.

Dynamic programming over (template item, word): a fixed word matched costs nothing (a
fuzzy match a little), one not found costs 1, a word read past outside a slot costs 0.6
(words of no letters — commas, dashes — nothing); a slot takes any number of words for
free. The cheapest path is the reading: a fixed word that also occurs inside a value
("et" in "vingt et un") is not taken for the template's when that would leave the fixed
words after it unmatched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.extract.text import fuzzy_lookup

_MISS = 1.0
_SKIP = 0.6
_FUZZY = 0.3


@dataclass(frozen=True)
class Slot:
    """Words [start, end) of the act's words; factor < 1 when a fixed word between the
    slot and its neighbours was not found (where the slot ends is then a guess)."""

    start: int
    end: int
    factor: float


def _literal_cost(key: str, accepted: tuple[str, ...]) -> float | None:
    if key in accepted:
        return 0.0
    if len(key) <= 3:
        return None
    long = {a: a for a in accepted if len(a) > 3}
    return _FUZZY if long and fuzzy_lookup(key, long) is not None else None


def align(keys: Sequence[str], template: Sequence[str]) -> tuple[dict[str, Slot], int]:
    """slot name → Slot for the words whose folded keys are `keys`; and how many fixed
    words were found. Template items: "<slot>" or "word|variant"."""
    n, m = len(keys), len(template)
    is_slot = [item.startswith("<") for item in template]
    accepted = [tuple(item.split("|")) if not s else () for item, s in zip(template, is_slot)]
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(m + 1)]
    back: list[list[tuple[int, int, str] | None]] = [[None] * (n + 1) for _ in range(m + 1)]
    cost[0][0] = 0.0

    def relax(i: int, j: int, value: float, origin: tuple[int, int, str]) -> None:
        if value < cost[i][j] - 1e-9:
            cost[i][j] = value
            back[i][j] = origin

    for i in range(m + 1):
        for j in range(n + 1):
            here = cost[i][j]
            if here == inf:
                continue
            if i < m and is_slot[i]:
                if j < n:
                    relax(i, j + 1, here, (i, j, "absorb"))
                relax(i + 1, j, here, (i, j, "close"))
            elif i < m:
                if j < n:
                    step = _literal_cost(keys[j], accepted[i])
                    if step is not None:
                        relax(i + 1, j + 1, here + step, (i, j, "match"))
                    if i + 1 < m and not is_slot[i + 1]:
                        # Two fixed words OCR read as one ("حررفي", "Dresséle").
                        joined = tuple(a + b for a in accepted[i] for b in accepted[i + 1])
                        step = _literal_cost(keys[j], joined)
                        if step is not None:
                            relax(i + 2, j + 1, here + step + _FUZZY, (i, j, "match2"))
                relax(i + 1, j, here + _MISS, (i, j, "miss"))
            if j < n and not (i < m and is_slot[i]):
                relax(i, j + 1, here + (0.0 if not keys[j] or i == m else _SKIP), (i, j, "skip"))
    # Walk back from the end.
    spans: dict[int, list[int]] = {}
    missed: set[int] = set()
    i, j = m, n
    found = 0
    while back[i][j] is not None:
        pi, pj, move = back[i][j]
        if move == "absorb":
            spans.setdefault(pi, []).append(pj)
        elif move == "close":
            spans.setdefault(pi, [])
        elif move == "miss":
            missed.add(pi)
        elif move == "match":
            found += 1
        elif move == "match2":
            found += 2
        i, j = pi, pj
    slots: dict[str, Slot] = {}
    for index, item in enumerate(template):
        if not is_slot[index]:
            continue
        taken = spans.get(index)
        if not taken:
            continue
        factor = 1.0
        for step in (-1, 1):
            # The fixed words between this slot and the next one on that side: one lost
            # makes where the slot ends a guess.
            neighbour = index + step
            while 0 <= neighbour < m and not is_slot[neighbour]:
                if neighbour in missed:
                    factor *= 0.8
                    break
                neighbour += step
        slots[item.strip("<>")] = Slot(start=min(taken), end=max(taken) + 1, factor=factor)
    return slots, found
