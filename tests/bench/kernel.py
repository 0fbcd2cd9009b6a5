"""The limit: a year's essential work for a county's pupils, and nothing else, in NumPy.

Per year: every pupil moves up a grade (grade-9 pupils leave, a new grade-1 cohort takes
their rows); each continuing pupil computes one utility, its current school's, and draws
whether it drops out (logit); the pupils who must choose (entrants, pupils entering junior
school and about 5% movers: about 27%, as in edusim) compute K candidate utilities with
Gumbel tastes and rank them; edusim's deferred acceptance assigns them; the school and grade
counts are taken with ``bincount``. No state beyond these arrays, no boarding, buses,
catchments, migration, teachers or policies. What edusim does per pupil-year beyond this is
its overhead over the limit.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.assignment import deferred_acceptance

K = 10


class Kernel:
    """A county of ``pupils`` pupils over ``pupils // 2000`` settlements and schools."""

    def __init__(self, pupils: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.rng = rng
        n_places = max(K + 1, pupils // 2000)
        xy = rng.uniform(0, np.sqrt(pupils / 10.0), (n_places, 2))
        self.minutes = (np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
                        / 25.0 * 60.0 + 5.0).astype(np.float32)
        self.quality = rng.uniform(0.3, 0.9, n_places)
        self.candidates = np.argsort(self.minutes, axis=1)[:, :K]  # school i sits at place i
        self.seats = np.full(n_places * 10, int(pupils / n_places / 9 * 1.3) + 1)
        self.grade = rng.integers(1, 10, pupils).astype(np.int8)
        self.home = rng.integers(0, n_places, pupils).astype(np.int32)
        self.school = self.candidates[self.home, 0].astype(np.int32)

    def year(self) -> np.ndarray:
        """Simulate one year; return the pupils per school."""
        rng = self.rng
        self.grade += 1
        leaving = self.grade > 9
        self.grade[leaving] = 1
        self.home[leaving] = rng.integers(0, self.minutes.shape[0], int(leaving.sum()))
        moving = rng.random(self.grade.size) < 0.05
        choosing = leaving | (self.grade == 7) | moving
        stay = np.flatnonzero(~choosing & (self.school >= 0))
        u = 3.0 * self.quality[self.school[stay]] - 0.06 * self.minutes[self.home[stay],
                                                                       self.school[stay]]
        p_drop = 1.0 / (1.0 + np.exp(u + 4.8))
        dropped = rng.random(stay.size) < p_drop
        self.school[stay[dropped]] = -1
        stay = stay[~dropped]
        who = np.flatnonzero(choosing)
        options = self.candidates[self.home[who]]
        utility = (3.0 * self.quality[options] - 0.06 * self.minutes[self.home[who, None], options]
                   + rng.gumbel(size=options.shape))
        order = np.argsort(-utility, axis=1)
        ranked = np.take_along_axis(options, order, axis=1)
        pools = ranked * 10 + self.grade[who, None]
        priority = np.take_along_axis(self.minutes[self.home[who, None], options], order, axis=1)
        priority = priority + rng.random(options.shape)
        held = np.bincount(self.school[stay] * 10 + self.grade[stay], minlength=self.seats.size)
        choice = deferred_acceptance(pools, priority, np.maximum(self.seats - held, 0))
        self.school[who] = np.where(choice >= 0, choice // 10, -1)
        enrolled = self.school >= 0
        np.bincount(self.grade[enrolled], minlength=10)
        return np.bincount(self.school[enrolled], minlength=self.minutes.shape[0])
