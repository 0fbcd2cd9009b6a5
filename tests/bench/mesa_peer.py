"""The peer: the yearly school choice as a Mesa user would write it, one agent per pupil.

Each pupil is a ``mesa.Agent`` that every year moves up a grade (leaving after grade 9) and
chooses among its 12 nearest schools of its stage: for each it computes, in Python, the
utility ``beta_quality * quality - beta_time * minutes + Gumbel taste`` (edusim's weights), and
takes the best school with a seat left, the pupils acting in random order
(``shuffle_do``); a new cohort of grade-1 pupils arrives each year. Schools are agents with
a quality and seats. This is the per-agent model the benchmarks compare edusim with; it does
less than edusim (no boarding, buses, catchments, priorities, migration, teachers or policies).
"""

from __future__ import annotations

import math

import mesa
import numpy as np

CANDIDATES = 12
BETA_QUALITY, BETA_TIME = 3.0, 0.06  # edusim's defaults (choice.beta_quality, beta_time)
SPEED_KMH = 25.0


class School(mesa.Agent):
    """A school: position (km), stage (0 primary, 1 junior), quality and seats."""

    def __init__(self, model, x, y, stage, seats):
        super().__init__(model)
        self.x, self.y, self.stage, self.seats = x, y, stage, seats
        self.quality = self.random.uniform(0.3, 0.9)
        self.enrolled = 0


class Pupil(mesa.Agent):
    """A pupil: home (km), grade, its nearest schools by stage and its school."""

    def __init__(self, model, x, y, grade):
        super().__init__(model)
        self.x, self.y, self.grade = x, y, grade
        self.school = None
        self.options = {stage: model.nearest(x, y, stage) for stage in (0, 1)}

    def step(self):
        self.grade += 1
        if self.grade > 9:
            self.remove()
            return
        best = None
        ranked = []
        for school in self.options[0 if self.grade <= 6 else 1]:
            minutes = math.hypot(school.x - self.x, school.y - self.y) / SPEED_KMH * 60
            taste = -math.log(-math.log(self.random.random() or 1e-300))
            ranked.append((BETA_QUALITY * school.quality - BETA_TIME * minutes + taste, school))
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        for _, school in ranked:
            if school.enrolled < school.seats:
                best = school
                break
        self.school = best
        if best is not None:
            best.enrolled += 1


class PeerModel(mesa.Model):
    """A county of ``pupils`` pupils in grades 1-9 and a school per ~200 pupils."""

    def __init__(self, pupils: int, seed: int = 0):
        super().__init__(seed=seed)
        self.side_km = math.sqrt(pupils / 10.0)  # about the density of edusim's default county
        n_schools = max(2 * CANDIDATES, pupils // 200)
        gen = np.random.default_rng(seed)
        self.schools = []
        for i in range(n_schools):
            x, y = gen.uniform(0, self.side_km, 2)
            stage = 0 if i % 3 else 1
            self.schools.append(School(self, x, y, stage, seats=int(pupils / n_schools * 1.3)))
        self._positions = {stage: np.array([(s.x, s.y) for s in self.schools if s.stage == stage])
                           for stage in (0, 1)}
        self._by_stage = {stage: [s for s in self.schools if s.stage == stage] for stage in (0, 1)}
        self.cohort = pupils // 9
        for grade in range(0, 9):
            for _ in range(self.cohort):
                Pupil(self, *gen.uniform(0, self.side_km, 2), grade)
        self._gen = gen

    def nearest(self, x, y, stage):
        """The ``CANDIDATES`` nearest schools of a stage (found once, when the pupil arrives)."""
        d = np.hypot(*(self._positions[stage] - (x, y)).T)
        return [self._by_stage[stage][i] for i in np.argsort(d)[:CANDIDATES]]

    def step(self):
        for school in self.schools:
            school.enrolled = 0
        self.agents_by_type[Pupil].shuffle_do("step")
        for _ in range(self.cohort):  # next year's entrants (grade 0 until they step)
            Pupil(self, *self._gen.uniform(0, self.side_km, 2), 0)

    def pupils(self) -> int:
        """Pupils in school this year."""
        return sum(1 for p in self.agents_by_type[Pupil] if p.school is not None)
