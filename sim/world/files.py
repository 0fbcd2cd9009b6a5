"""A real county read from a folder of CSV files.

Files (UTF-8, or GB18030 as saved by Chinese Excel; header names are case-insensitive):

``settlements.csv``
    ``id, name, kind, township, lon, lat, population``. ``kind`` is county_town, town or
    village, with exactly one county_town; ``township`` is any label (numbered 0, 1, ... in
    order of first appearance); ``lon``/``lat`` in degrees (WGS84); ``population`` residents.
``schools.csv``
    ``id, name, settlement, level, classrooms`` and optional ``grade_min, grade_max``
    (empty: teaching_point 1..``schools.teaching_point_top_grade``, primary 1-6, junior 7-9,
    nine_year 1-9) and ``boarding_beds`` (empty: 0). ``settlement`` is a settlements.csv id.
``roads.csv`` (optional)
    ``from, to, road_class`` (county, township, village) and optional ``length_km`` (empty:
    straight line x ``roads.terrain_detour_factor[terrain]``). Without this file, roads are
    built by the rule of :mod:`sim.world.roads`.

Ids are compared as text ("7" and "07" differ). Coordinates are projected to km by an
equirectangular projection about the mean longitude and latitude:
``x = R (lon - lon0) cos(lat0)``, ``y = R (lat - lat0)``, R = 6371.0088 km, angles in
radians -- within a county (< 100 km) the distortion is well under 1%.

Every problem raises :class:`sim.errors.CountyDataError` naming the file, the line (as a
spreadsheet numbers rows: line 1 is the header, the first data row is line 2), the column,
the value and what is allowed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sim.errors import CountyDataError
from sim.scenario.schema import LEVELS, ROAD_CLASSES, SETTLEMENT_KINDS, Scenario
from sim.scenario.schema_base import MAX_RESIDENTS, MAX_SCHOOL_PUPILS
from sim.world.roads import MIN_ROAD_KM, build_roads
from sim.world.types import DEFAULT_GRADES, TIER_OF_KIND, World

EARTH_RADIUS_KM = 6371.0088
SETTLEMENT_COLUMNS = ("id", "name", "kind", "township", "lon", "lat", "population")
SCHOOL_COLUMNS = ("id", "name", "settlement", "level", "classrooms")
ROAD_COLUMNS = ("from", "to", "road_class")
#: Classrooms of one school: far more than any school has (the largest have a few hundred).
MAX_CLASSROOMS = 10_000
#: Length of one road between two settlements (km): longer than any county is wide.
MAX_ROAD_KM = 2_000.0
# (lowest, highest) allowed grade_min and grade_max of each level, in LEVELS order
_GRADE_MIN_RANGE = {
    "teaching_point": (1, 6),
    "primary": (1, 6),
    "junior": (7, 9),
    "nine_year": (1, 6),
}
_GRADE_MAX_RANGE = {
    "teaching_point": (1, 6),
    "primary": (1, 6),
    "junior": (7, 9),
    "nine_year": (7, 9),
}


def load_county(folder: Path | str, scenario: Scenario) -> World:
    """Read and validate a real county from ``folder``.

    Parameters
    ----------
    folder : path
        Folder with settlements.csv, schools.csv and optional roads.csv (see module docstring).
    scenario : Scenario
        Supplies the terrain (``county.terrain``), its detour factor and the default top grade
        of teaching points.

    Returns
    -------
    World
        The county's settlements, roads (read, or built when roads.csv is absent) and schools.

    Raises
    ------
    CountyDataError
        On the first problem found, naming file, line, column, value and what is allowed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CountyDataError(
            f"{folder}: county folder not found; county.file must name a folder with "
            "settlements.csv, schools.csv and optionally roads.csv"
        )
    terrain = scenario.county.terrain
    s = _settlements(_Csv(folder / "settlements.csv", SETTLEMENT_COLUMNS))
    sc = _schools(
        _Csv(folder / "schools.csv", SCHOOL_COLUMNS),
        s["ids"],
        s["kind"],
        scenario.schools.teaching_point_top_grade,
    )
    detour = scenario.roads.terrain_detour_factor[terrain]
    if (folder / "roads.csv").is_file():
        roads = _roads(_Csv(folder / "roads.csv", ROAD_COLUMNS), s, detour)
    else:
        roads = build_roads(s["x"], s["y"], s["kind"], detour)
    return World(
        terrain=terrain,
        settlement_name=s["name"],
        settlement_kind=s["kind"],
        settlement_township=s["township"],
        x_km=s["x"].astype(np.float32),
        y_km=s["y"].astype(np.float32),
        population=s["population"],
        road_src=roads[0],
        road_dst=roads[1],
        road_km=roads[2],
        road_class=roads[3],
        **sc,
    )


def _settlements(t: _Csv) -> dict[str, np.ndarray]:
    ids = t.unique_ids("id")
    name = t.text("name")
    kind = t.choice("kind", SETTLEMENT_KINDS)
    township = pd.factorize(t.text("township"))[0]
    lon = t.number("lon", lo=-180, hi=180, expected="degrees east, a number from -180 to 180")
    lat = t.number("lat", lo=-90, hi=90, expected="degrees north, a number from -90 to 90")
    population = t.integers(
        "population",
        lo=0,
        hi=MAX_RESIDENTS,
        dtype=np.int32,
        expected=f"residents, a whole number from 0 to {MAX_RESIDENTS:,}",
    )
    if population.sum(dtype=np.int64) > MAX_RESIDENTS:
        raise CountyDataError(
            f"{t.path}, column 'population': the settlements add up to "
            f"{int(population.sum(dtype=np.int64)):,} residents; a county may have at most "
            f"{MAX_RESIDENTS:,}"
        )
    towns = np.flatnonzero(kind == SETTLEMENT_KINDS.index("county_town"))
    if len(towns) == 0:
        raise CountyDataError(
            f"{t.path}, column 'kind': no settlement has kind 'county_town'; exactly one is needed"
        )
    if len(towns) > 1:
        t.fail(
            towns[1],
            "kind",
            f"a second 'county_town' (the first is on line {t.lines[towns[0]]}); "
            "exactly one settlement is the county town, the others are 'town' or 'village'",
        )
    lat0, lon0 = np.radians(lat.mean()), np.radians(lon.mean())
    x = EARTH_RADIUS_KM * (np.radians(lon) - lon0) * np.cos(lat0)
    y = EARTH_RADIUS_KM * (np.radians(lat) - lat0)
    return dict(
        ids=ids,
        name=name,
        kind=kind,
        township=township.astype(np.int16),
        x=x,
        y=y,
        population=population,
    )


def _schools(
    t: _Csv, settlement_ids: np.ndarray, settlement_kind: np.ndarray, tp_top: int
) -> dict[str, np.ndarray]:
    if len(t.lines) == 0:
        raise CountyDataError(
            f"{t.path}: no schools (only the header); the county needs at least one"
        )
    t.unique_ids("id")
    name = t.text("name")
    settlement = t.reference("settlement", settlement_ids, "settlements.csv")
    level = t.choice("level", LEVELS)
    classrooms = t.integers(
        "classrooms",
        lo=1,
        hi=MAX_CLASSROOMS,
        dtype=np.int16,
        expected=f"a whole number of classrooms from 1 to {MAX_CLASSROOMS:,}",
    )
    grades = _grades(t, level, tp_top)
    beds = t.integers(
        "boarding_beds",
        lo=0,
        hi=MAX_SCHOOL_PUPILS,
        dtype=np.int32,
        default=np.zeros(len(t.lines)),
        expected=f"a whole number of beds from 0 to {MAX_SCHOOL_PUPILS:,} (empty: 0)",
    )
    return dict(
        school_name=name,
        school_settlement=settlement.astype(np.int32),
        school_level=level,
        school_tier=TIER_OF_KIND[settlement_kind[settlement]],
        school_grade_min=grades["grade_min"],
        school_grade_max=grades["grade_max"],
        school_classrooms=classrooms,
        school_beds=beds,
    )


def _grades(t: _Csv, level: np.ndarray, tp_top: int) -> dict[str, np.ndarray]:
    """Read each school's ``grade_min`` and ``grade_max`` (int8; empty cells by level).

    Both are checked against the grades the level may teach and against each other.
    """
    defaults = dict(DEFAULT_GRADES, teaching_point=(1, tp_top))
    grades = {}
    for i, column in enumerate(("grade_min", "grade_max")):
        by_level = np.array([defaults[lv][i] for lv in LEVELS])[level]
        grades[column] = t.integers(
            column,
            lo=1,
            hi=9,
            dtype=np.int8,
            default=by_level,
            expected="a grade from 1 to 9 (empty: the level's usual grades)",
        )
    for column, ranges in (("grade_min", _GRADE_MIN_RANGE), ("grade_max", _GRADE_MAX_RANGE)):
        lo, hi = (np.array([ranges[lv][j] for lv in LEVELS])[level] for j in (0, 1))
        bad = np.flatnonzero((grades[column] < lo) | (grades[column] > hi))
        if len(bad):
            i = bad[0]
            t.fail(
                i,
                column,
                f"{int(grades[column][i])} does not fit level '{LEVELS[level[i]]}': "
                f"{column} must be from {lo[i]} to {hi[i]}",
            )
    bad = np.flatnonzero(grades["grade_min"] > grades["grade_max"])
    if len(bad):
        i = bad[0]
        t.fail(
            i,
            "grade_min",
            f"{int(grades['grade_min'][i])} is above grade_max "
            f"{int(grades['grade_max'][i])}; grade_min must not exceed grade_max",
        )
    return grades


def _roads(t: _Csv, s: dict[str, np.ndarray], detour: float) -> tuple[np.ndarray, ...]:
    src = t.reference("from", s["ids"], "settlements.csv")
    dst = t.reference("to", s["ids"], "settlements.csv")
    loops = np.flatnonzero(src == dst)
    if len(loops):
        t.fail(
            loops[0],
            "to",
            f"'{s['ids'][dst[loops[0]]]}' is the same settlement as 'from'; "
            "a road joins two different settlements",
        )
    road_class = t.choice("road_class", ROAD_CLASSES)
    straight = np.hypot(s["x"][src] - s["x"][dst], s["y"][src] - s["y"][dst])
    km = t.number(
        "length_km",
        lo=0,
        lo_open=True,
        hi=MAX_ROAD_KM,
        default=np.maximum(straight * detour, MIN_ROAD_KM),
        expected=f"road length in km, a number above 0 and at most {MAX_ROAD_KM:,.0f} "
        "(empty: straight line x terrain detour)",
    )

    n = len(s["ids"])
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    ct = int(np.flatnonzero(s["kind"] == SETTLEMENT_KINDS.index("county_town"))[0])
    cut = np.flatnonzero(label != label[ct])
    if len(cut):
        listed = ", ".join(f"'{s['name'][i]}' (id {s['ids'][i]})" for i in cut[:10])
        more = f" and {len(cut) - 10} more" if len(cut) > 10 else ""
        raise CountyDataError(
            f"{t.path}: the road network does not reach {len(cut)} settlement(s) from the county "
            f"town '{s['name'][ct]}': {listed}{more}; every settlement needs a road path to the "
            "county town (add rows to roads.csv, or delete roads.csv to build roads automatically)"
        )
    return src.astype(np.int32), dst.astype(np.int32), km.astype(np.float32), road_class


class _Csv:
    """One CSV file read as text, with column checks that raise ``CountyDataError``.

    Checks run per column over all rows and report the first bad row.
    """

    def __init__(self, path: Path, required: tuple[str, ...]):
        self.path = path
        if not path.is_file():
            raise CountyDataError(
                f"{path}: file not found; a county folder needs settlements.csv and schools.csv "
                "(roads.csv is optional)"
            )
        header, frame = _read(path)
        _check_header(path, header)
        if len(header) == len(frame.columns):  # pandas renames repeated and empty names
            frame.columns = [
                _column_name(h) or _column_name(c) for h, c in zip(header, frame.columns)
            ]
        else:
            frame.columns = [_column_name(c) for c in frame.columns]
        for column in required:
            if column not in frame.columns:
                raise CountyDataError(
                    f"{path}, line 1 (the header), column '{column}': missing; needed columns are "
                    f"{', '.join(required)} (found: {', '.join(frame.columns)})"
                )
        frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
        frame = frame[(frame != "").any(axis=1)]  # blank lines, kept out of the data but counted
        self.frame = frame
        self.lines = frame.index.to_numpy() + 2  # spreadsheet row: header is line 1

    def fail(self, row: int, column: str, problem: str) -> None:
        """Raise for data row ``row`` (0-based position) of ``column``."""
        where = f"{self.path}, line {self.lines[row]} (line 1 is the header), column '{column}'"
        raise CountyDataError(f"{where}: {problem}")

    def text(self, column: str) -> np.ndarray:
        """Non-empty text values (object array)."""
        values = self.frame[column].to_numpy(dtype=object)
        empty = np.flatnonzero(values == "")
        if len(empty):
            self.fail(empty[0], column, "empty value; a value is needed")
        return values

    def unique_ids(self, column: str) -> np.ndarray:
        values = self.text(column)
        again = np.flatnonzero(pd.Series(values).duplicated().to_numpy())
        if len(again):
            i = again[0]
            first = int(np.flatnonzero(values == values[i])[0])
            self.fail(
                i,
                column,
                f"'{values[i]}' is used again (first on line {self.lines[first]}); "
                "ids must be unique",
            )
        return values

    def choice(self, column: str, allowed: tuple[str, ...]) -> np.ndarray:
        """Codes (int8) of values that must be one of ``allowed``."""
        values = self.text(column)
        codes = pd.Index(allowed).get_indexer(values)
        bad = np.flatnonzero(codes < 0)
        if len(bad):
            self.fail(
                bad[0],
                column,
                f"'{values[bad[0]]}' is not allowed; use one of {', '.join(allowed)}",
            )
        return codes.astype(np.int8)

    def reference(self, column: str, ids: np.ndarray, other: str) -> np.ndarray:
        """Row indices in ``ids`` of values that must be ids of file ``other``."""
        values = self.text(column)
        index = pd.Index(ids).get_indexer(values)
        bad = np.flatnonzero(index < 0)
        if len(bad):
            self.fail(bad[0], column, f"'{values[bad[0]]}' is not an id in {other}")
        return index

    def integers(
        self,
        column: str,
        *,
        lo: int,
        hi: int,
        dtype: type[np.integer],
        expected: str,
        default: np.ndarray | None = None,
    ) -> np.ndarray:
        """Whole numbers within [lo, hi], checked before they are cast to ``dtype``.

        Parameters
        ----------
        column
            The column (optional when ``default`` is given: empty cells take its values).
        lo, hi
            Allowed range; ``hi`` must fit ``dtype``, so a cast never wraps around.
        dtype
            NumPy integer type of the result.
        expected
            What the column holds and its range, for the error message.
        default
            Values for empty cells (and for a missing column).

        Returns
        -------
        numpy.ndarray
            The values as ``dtype``.

        Raises
        ------
        CountyDataError
            A value is not a whole number or lies outside [lo, hi].
        """
        limits = np.iinfo(dtype)
        if not limits.min <= lo <= hi <= limits.max:
            raise ValueError(f"column {column}: range {lo}..{hi} does not fit {np.dtype(dtype)}")
        values = self.number(column, lo=lo, hi=hi, integer=True, default=default, expected=expected)
        return values.astype(dtype)

    def number(
        self,
        column: str,
        *,
        expected: str,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
        integer: bool = False,
        default: np.ndarray | None = None,
    ) -> np.ndarray:
        """Numbers (float64) within [lo, hi] (``lo_open``: above lo), whole if ``integer``.

        With ``default`` the column is optional and empty cells take the default's values.
        """
        if column not in self.frame.columns:
            if default is None:  # required columns were checked on reading
                raise AssertionError(column)
            return np.asarray(default, dtype=np.float64)
        raw = self.frame[column].to_numpy(dtype=object)
        empty = raw == ""
        if default is None and empty.any():
            self.fail(np.flatnonzero(empty)[0], column, f"empty value; expected {expected}")
        values = pd.to_numeric(pd.Series(np.where(empty, "nan", raw)), errors="coerce").to_numpy(
            np.float64
        )
        bad = np.flatnonzero(~empty & ~np.isfinite(values))
        if len(bad):
            self.fail(bad[0], column, f"'{raw[bad[0]]}' is not a number; expected {expected}")
        ok = np.ones(len(values), dtype=bool)
        if lo is not None:
            ok &= values > lo if lo_open else values >= lo
        if hi is not None:
            ok &= values <= hi
        whole = values == np.round(values) if integer else np.ones_like(ok)
        bad = np.flatnonzero(~empty & ~(ok & whole))
        if len(bad):
            problem = "is out of range" if not ok[bad[0]] else "is not a whole number"
            self.fail(bad[0], column, f"'{raw[bad[0]]}' {problem}; expected {expected}")
        return np.where(empty, default, values) if default is not None else values


def _read(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Read the header as written and the rows as text (UTF-8, with or without BOM, or GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError:
            continue
        try:
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
            )
        except pd.errors.EmptyDataError:
            raise CountyDataError(f"{path}: the file is empty; line 1 must be the header") from None
        except pd.errors.ParserError as err:
            raise CountyDataError(f"{path}: not a readable CSV file ({err})") from None
        header = next(csv.reader(io.StringIO(text)), [])
        return header, frame
    raise CountyDataError(f"{path}: not UTF-8 or GB18030 text; save the file as CSV UTF-8")


def _column_name(header_cell: str) -> str:
    """Normalise a header name: compared without case and surrounding spaces."""
    return str(header_cell).strip().lower()


def _check_header(path: Path, header: list[str]) -> None:
    """Raise when two header cells name the same column (ignoring case and spaces)."""
    first: dict[str, str] = {}
    for cell in header:
        name = _column_name(cell)
        if not name:
            continue  # an empty header cell (a trailing comma): pandas names it "unnamed"
        if name in first:
            raise CountyDataError(
                f"{path}, line 1 (the header), column '{name}': appears twice (as "
                f"'{first[name]}' and '{cell}'); header names are compared ignoring case and "
                "spaces, so each column may appear only once"
            )
        first[name] = cell
