"""Plain per-pupil Python reference of deferred acceptance (sim.behaviour.assignment).

Deliberately simple and slow: it proves the vectorised implementation gives identical
assignments and is the baseline of the speed benchmark. No input validation.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def deferred_acceptance_reference(
    preferences, priority, capacity, bed_pool=None, bed_capacity=None, by_right=None
) -> np.ndarray:
    """Student-proposing deferred acceptance, one pupil at a time.

    Without beds: the textbook algorithm. A queue of free pupils; the first free pupil
    proposes to the next school on their list; the school adds them to its held list and, if
    it now holds more than ``capacity`` pupils, rejects the one with the worst
    ``(priority, pupil index)``, who goes back to the queue. The order of proposals does not
    change the result (the student-optimal stable matching is unique for strict priorities),
    so this must equal the round-based vectorised version.

    With beds (``bed_pool`` and ``bed_capacity`` given), the outcome can depend on the order
    of proposals, so this reference follows the same round structure as the vectorised one:
    every round, each free pupil with options left proposes to their next option; then, over
    all applicants (held plus new proposers), each bed pool keeps the ``bed_capacity`` best
    ``(priority, pupil index)`` among those needing a bed from it and rejects the rest, and
    each school keeps the ``capacity`` best among its remaining applicants and rejects the
    rest. Every pool is recomputed every round.

    ``by_right`` (bool, like ``preferences``): applications a school admits beyond its
    capacity (they rank first); a school holds ``max(capacity, applicants by right)``.

    Returns an int64 array (n_pupils,) of school ids, -1 for unassigned.
    """
    pref = np.asarray(preferences).tolist()
    prio = np.asarray(priority).tolist()
    cap = [int(c) for c in np.asarray(capacity).tolist()]
    right = (np.zeros(np.asarray(preferences).shape, dtype=bool) if by_right is None
             else np.asarray(by_right, dtype=bool)).tolist()
    if bed_pool is not None:
        return _rounds_with_beds(pref, prio, cap, np.asarray(bed_pool).tolist(),
                                 [int(c) for c in np.asarray(bed_capacity).tolist()], right)
    n = len(pref)
    n_opts = [sum(1 for s in row if s >= 0) for row in pref]
    ptr = [0] * n
    match = [-1] * n
    held = [[] for _ in cap]  # per school: list of (priority, pupil)
    rights = [0] * len(cap)  # per school: held applications by right
    free = deque(i for i in range(n) if n_opts[i] > 0)
    while free:
        i = free.popleft()
        s = pref[i][ptr[i]]
        held[s].append((prio[i][ptr[i]], i))
        rights[s] += bool(right[i][ptr[i]])
        match[i] = s
        if len(held[s]) > max(cap[s], rights[s]):
            worst = max(held[s])
            held[s].remove(worst)
            j = worst[1]
            match[j] = -1
            ptr[j] += 1
            if ptr[j] < n_opts[j]:
                free.append(j)
    return np.array(match, dtype=np.int64)


def _rounds_with_beds(pref, prio, cap, bed, bed_cap, right):
    n = len(pref)
    n_opts = [sum(1 for s in row if s >= 0) for row in pref]
    ptr = [0] * n
    match = [-1] * n
    held = set()
    proposers = [i for i in range(n) if n_opts[i] > 0]
    while proposers:
        applicants = sorted(held.union(proposers))
        # Stage 1: beds.
        by_bed = {}
        for i in applicants:
            b = bed[i][ptr[i]]
            if b >= 0:
                by_bed.setdefault(b, []).append((prio[i][ptr[i]], i))
        rejected = set()
        for b, lst in by_bed.items():
            lst.sort()
            rejected.update(i for _, i in lst[bed_cap[b]:])
        # Stage 2: seats.
        by_school = {}
        for i in applicants:
            if i not in rejected:
                by_school.setdefault(pref[i][ptr[i]], []).append((prio[i][ptr[i]], i))
        held = set()
        for s, lst in by_school.items():
            lst.sort()
            room = max(cap[s], sum(1 for _, i in lst if right[i][ptr[i]]))
            held.update(i for _, i in lst[:room])
            rejected.update(i for _, i in lst[room:])
        for i in held:
            match[i] = pref[i][ptr[i]]
        proposers = []
        for i in sorted(rejected):
            match[i] = -1
            ptr[i] += 1
            if ptr[i] < n_opts[i]:
                proposers.append(i)
    return np.array(match, dtype=np.int64)
