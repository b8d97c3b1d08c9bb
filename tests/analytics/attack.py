"""An attacker who subtracts: which values of a hidden cell agree with everything shown?

Every shown figure is a sum of unknown counts ("atoms", e.g. deviations per municipality,
category and month) lying in an interval: "<5" is 1–4, "0" is 0, a protected number n is
n−2..n+2 (5 is 5..7, since 3 and 4 would read "<5"), a row hidden beside a "<5" is 5 or more
(the attacker knows the rule), and an exact number is itself. An integer
program (HiGHS through scipy) finds the smallest and largest value a hidden cell can take
under all those constraints at once; equal means the cell is worked out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from analytics.disclosure import ROUNDING_BASE, SMALL_COUNT, SUPPRESSED

COMPLEMENT_TEXTS = {"hidden", "dold"}  # the complementary suppression, in either language
UNBOUNDED = 10**6


@dataclass(frozen=True)
class Shown:
    """One shown figure: the atoms it sums and the range its text allows."""

    atoms: frozenset[Hashable]
    low: int
    high: int
    suppressed: bool
    where: str  # for the failure message


def read_count(text: str, *, exact: bool = False) -> tuple[int, int, bool]:
    """The range a shown count allows: (low, high, suppressed)."""
    text = re.sub(r"[\s\u00a0\u202f,]", "", text)
    if text == SUPPRESSED:
        return 1, SMALL_COUNT - 1, True
    if text in COMPLEMENT_TEXTS:
        return SMALL_COUNT, UNBOUNDED, False
    value = int(text)
    if exact or value == 0:
        return value, value, False
    assert value % ROUNDING_BASE == 0, f"a protected count that is no multiple of 5: {value}"
    half = ROUNDING_BASE // 2
    return max(value - half, SMALL_COUNT), value + half, False


def shown(atoms: Iterable[Hashable], text: str, where: str, *, exact: bool = False) -> Shown:
    low, high, suppressed = read_count(text, exact=exact)
    return Shown(frozenset(atoms), low, high, suppressed, where)


def value_range(facts: Sequence[Shown], target: Collection[Hashable]) -> tuple[int, int] | None:
    """The least and greatest value of the sum over `target` consistent with every fact;
    None when the facts contradict each other (a bug in the page or in the model)."""
    atoms = sorted({atom for fact in facts for atom in fact.atoms} | set(target), key=repr)
    index = {atom: i for i, atom in enumerate(atoms)}
    matrix = np.zeros((len(facts), len(atoms)))
    for row, fact in enumerate(facts):
        for atom in fact.atoms:
            matrix[row, index[atom]] = 1
    constraint = LinearConstraint(
        matrix, [fact.low for fact in facts], [fact.high for fact in facts]
    )
    goal = np.zeros(len(atoms))
    for atom in target:
        goal[index[atom]] = 1
    ends = []
    for sign in (1, -1):
        result = milp(
            sign * goal,
            constraints=constraint,
            integrality=np.ones(len(atoms)),
            bounds=Bounds(0, np.inf),
        )
        if result.status != 0:
            return None
        ends.append(round(sign * result.fun))
    return ends[0], ends[1]


def worked_out(facts: Sequence[Shown]) -> list[tuple[Shown, int]]:
    """Every suppressed figure whose value the facts pin down, with that value."""
    found = []
    for fact in facts:
        if not fact.suppressed:
            continue
        ends = value_range(facts, fact.atoms)
        assert ends is not None, "the shown figures contradict each other"
        if ends[0] == ends[1]:
            found.append((fact, ends[0]))
    return found
