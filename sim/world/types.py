"""The world of one county: settlements, roads and the initial schools, as plain arrays."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from sim.scenario.schema import LEVELS, ROAD_CLASSES, SETTLEMENT_KINDS, TIERS


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Settlement-to-settlement commutes; the model takes columns ``minutes[:, school_settlement]``.

    Attributes
    ----------
    minutes : ndarray of float32, shape (S, S)
        Daily one-way commute (minutes) from a home in settlement a to a school in settlement b;
        ``inf`` when no road joins them.
    km_of : callable
        Computes :attr:`km` (called once, on first use: only bus routing and the bus policy
        read road distances, and at 10^6 pupils the all-pairs pass costs seconds).
    """

    minutes: np.ndarray
    km_of: Callable[[], np.ndarray]

    @cached_property
    def km(self) -> np.ndarray:
        """Shortest road distance (km), float32 (S, S)."""
        return self.km_of()


@dataclass(frozen=True, eq=False)
class World:
    """Settlements, roads and the initial schools of one county (arrays, one row per item).

    Row ``i`` of the settlement arrays is settlement ``i``; roads and schools refer to
    settlements by that index. Codes index the name tuples of ``sim.scenario.schema``.

    Attributes
    ----------
    terrain : str
        "plain", "hill" or "mountain".
    settlement_name : ndarray of str, shape (S,)
        Settlement names.
    settlement_kind : ndarray of int8, shape (S,)
        Index into ``SETTLEMENT_KINDS`` ("county_town", "town", "village").
    settlement_township : ndarray of int16, shape (S,)
        Township index 0..T-1; the county town's township has its own index.
    x_km, y_km : ndarray of float32, shape (S,)
        Projected coordinates (km).
    population : ndarray of int32, shape (S,)
        Residents.
    road_src, road_dst : ndarray of int32, shape (E,)
        Settlement indices of the two ends of each undirected road.
    road_km : ndarray of float32, shape (E,)
        Road length (km).
    road_class : ndarray of int8, shape (E,)
        Index into ``ROAD_CLASSES`` ("county", "township", "village").
    school_name : ndarray of str, shape (N,)
        School names.
    school_settlement : ndarray of int32, shape (N,)
        Settlement index of each school.
    school_level : ndarray of int8, shape (N,)
        Index into ``LEVELS`` ("teaching_point", "primary", "junior", "nine_year").
    school_tier : ndarray of int8, shape (N,)
        Index into ``TIERS`` ("village", "township", "county_town"), from the settlement's kind.
    school_grade_min, school_grade_max : ndarray of int8, shape (N,)
        Grades served, inclusive (1..9).
    school_classrooms : ndarray of int16, shape (N,)
        Total classrooms (the model splits them evenly over the grades served).
    school_beds : ndarray of int32, shape (N,)
        Boarding beds.
    travel : TravelTimes or None
        Commutes over the roads, when already computed (``build_world`` always sets them: a
        synthetic county computes them once to size its schools, a real one after loading).
    """

    terrain: str
    settlement_name: np.ndarray
    settlement_kind: np.ndarray
    settlement_township: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    population: np.ndarray
    road_src: np.ndarray
    road_dst: np.ndarray
    road_km: np.ndarray
    road_class: np.ndarray
    school_name: np.ndarray
    school_settlement: np.ndarray
    school_level: np.ndarray
    school_tier: np.ndarray
    school_grade_min: np.ndarray
    school_grade_max: np.ndarray
    school_classrooms: np.ndarray
    school_beds: np.ndarray
    travel: TravelTimes | None = None

    @property
    def n_settlements(self) -> int:
        """Number of settlements (S)."""
        return len(self.settlement_name)

    @property
    def n_roads(self) -> int:
        """Number of undirected roads (E)."""
        return len(self.road_src)

    @property
    def n_schools(self) -> int:
        """Number of initial schools (N)."""
        return len(self.school_name)

    @property
    def n_townships(self) -> int:
        """Number of townships, the county town's own included."""
        return int(self.settlement_township.max()) + 1 if self.n_settlements else 0

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Readable tables for output files and maps.

        Returns
        -------
        dict
            ``"settlements"``, ``"roads"`` and ``"schools"`` DataFrames; codes are spelled out
            as strings and each table's ``id`` is its row index in the arrays.
        """
        names = np.asarray(self.settlement_name, dtype=object)
        settlements = pd.DataFrame(
            {
                "id": np.arange(self.n_settlements),
                "name": names,
                "kind": np.asarray(SETTLEMENT_KINDS, dtype=object)[self.settlement_kind],
                "township": self.settlement_township,
                "x_km": self.x_km,
                "y_km": self.y_km,
                "population": self.population,
            }
        )
        roads = pd.DataFrame(
            {
                "id": np.arange(self.n_roads),
                "src": self.road_src,
                "dst": self.road_dst,
                "src_name": names[self.road_src],
                "dst_name": names[self.road_dst],
                "road_class": np.asarray(ROAD_CLASSES, dtype=object)[self.road_class],
                "km": self.road_km,
            }
        )
        schools = pd.DataFrame(
            {
                "id": np.arange(self.n_schools),
                "name": np.asarray(self.school_name, dtype=object),
                "settlement": self.school_settlement,
                "settlement_name": names[self.school_settlement],
                "level": np.asarray(LEVELS, dtype=object)[self.school_level],
                "tier": np.asarray(TIERS, dtype=object)[self.school_tier],
                "grade_min": self.school_grade_min,
                "grade_max": self.school_grade_max,
                "classrooms": self.school_classrooms,
                "boarding_beds": self.school_beds,
            }
        )
        return {"settlements": settlements, "roads": roads, "schools": schools}


# Tier of a school from its settlement's kind, indexed by SETTLEMENT_KINDS code.
_TIER_NAME = {"county_town": "county_town", "town": "township", "village": "village"}
TIER_OF_KIND = np.array([TIERS.index(_TIER_NAME[k]) for k in SETTLEMENT_KINDS], dtype=np.int8)

# Grades served by default by each level (index into LEVELS); teaching points use the
# scenario's ``schools.teaching_point_top_grade`` instead of the 3 here.
DEFAULT_GRADES = {
    "teaching_point": (1, 3),
    "primary": (1, 6),
    "junior": (7, 9),
    "nine_year": (1, 9),
}
