"""Experimental designs: which parameter values to run (the first stage of the SALib pipeline).

A sweep varies dotted scenario keys, each given on the command line as

- ``KEY=LOW:HIGH``: a continuous range. A grid takes ``samples`` evenly spaced levels from
  LOW to HIGH (both included); Latin hypercube and Sobol designs sample the range. When the
  scenario field holds whole numbers (``sim.scenario.keys.field_type``), the range is of the
  whole numbers from ``ceil(LOW)`` to ``floor(HIGH)`` (``years=2:3.5`` is 2 or 3): a grid
  rounds its levels and drops repeated ones, Latin hypercube and Sobol designs sample
  ``[LOW - 0.5, HIGH + 0.5]`` and round, so that every whole number is equally likely. The
  sweep says so (``sweep.json`` ``integer_keys``, the printed plan).
- ``KEY=a,b,c``: a discrete list (values parsed as TOML, else text). A grid takes every
  value; Latin hypercube and Sobol designs sample an index uniformly on [0, k) and take
  value ``floor(index)``.

Designs (``samples`` = N):

============  =================================================  ===========
design        design points                                      default N
============  =================================================  ===========
``grid``      product of the levels: N per range, every listed   3
              value
``lhs``       N points, ``SALib.sample.latin`` (seeded)          32
``sobol``     N·(D+2) points for D varied keys: Saltelli's        16
              scheme without second-order indices,
              ``SALib.sample.sobol.sample(calc_second_order=False,
              scramble=True, seed)``; N must be a power of 2
``morris``    N·(D+1) points: N Morris trajectories on a grid     10
              of 4 levels, ``SALib.sample.morris.sample(
              num_levels=4, seed)`` (elementary effects: a
              screening of many keys at little cost)
============  =================================================  ===========

Each design point is run ``replicates`` times; replicate r of *every* point uses the random
numbers of ``sim.seeds.replicate_rng(root_seed, r)`` (common random numbers), so differences
between points are differences of parameters, not of luck. Samples are seeded from the root
seed, so the same arguments give the same design (a rerun or ``--resume`` finds the same
run ids).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import tomllib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.errors import EdusimError, ScenarioError
from sim.experiment.errors import ExperimentError
from sim.scenario.keys import field_type, get_dotted

DESIGNS = ("grid", "lhs", "sobol", "morris")
DEFAULT_SAMPLES = {"grid": 3, "lhs": 32, "sobol": 16, "morris": 10}
#: Levels of the Morris grid (SALib's default; Morris 1991 and Campolongo et al. 2007 use 4).
MORRIS_LEVELS = 4
#: Columns of a design table besides the varied keys; a varied key may not use these names.
RESERVED = ("run_id", "point", "replicate", "seed", "year", "scenario")
#: Scenario keys a sweep may not vary (the seed is set by the replicates; names are labels).
NOT_VARIABLE = ("seed", "name", "description")
SECOND_ORDER = False
#: Half the step between whole numbers: an integer range is sampled from LOW - 0.5 to HIGH + 0.5.
HALF_STEP = 0.5


@dataclass(frozen=True)
class VarySpec:
    """One varied key: a continuous range or a discrete list of values.

    Attributes
    ----------
    key
        Dotted scenario key, e.g. ``choice.beta_time``.
    low, high
        Bounds of a range (None for a list).
    values
        The listed values (empty for a range).
    integer
        True when the scenario field holds integers: the bounds are whole numbers and range
        values are rounded.
    given
        The range as given when its bounds were rounded to whole numbers (else empty).
    """

    key: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()
    integer: bool = False
    given: str = ""

    @property
    def is_range(self) -> bool:
        """True for ``KEY=LOW:HIGH``, False for ``KEY=a,b,c``."""
        return self.low is not None

    @property
    def text(self) -> str:
        """The canonical ``KEY=...`` form (stored in ``sweep.json``)."""
        if self.is_range:
            return f"{self.key}={_num(self.low)}:{_num(self.high)}"
        return f"{self.key}={','.join(_value_text(v) for v in self.values)}"

    def probe_values(self) -> list[Any]:
        """Values that must all validate: both bounds of a range, every listed value."""
        if self.is_range:
            return [self._cast(self.low), self._cast(self.high)]
        return list(self.values)

    def levels(self, samples: int) -> list[Any]:
        """Grid levels: ``samples`` evenly spaced values of a range, or the listed values."""
        if not self.is_range:
            return list(self.values)
        raw = np.linspace(self.low, self.high, samples) if samples > 1 else np.array([self.low])
        out = [self._cast(x) for x in raw]
        return sorted(set(out)) if self.integer else out

    @property
    def note(self) -> str:
        """Say how an integer range is drawn (empty for other specs), for the printed plan."""
        if not (self.is_range and self.integer):
            return ""
        rounded = f" (rounded from {self.given})" if self.given else ""
        return f"{self.key}: whole numbers {_num(self.low)} to {_num(self.high)}{rounded}"

    def from_unit(self, x: float) -> Any:
        """Map a sampled coordinate ``x`` within :meth:`bounds` to the key's value."""
        if self.is_range:
            if self.integer:
                return int(min(max(round(float(x)), self.low), self.high))
            return self._cast(x)
        index = min(max(int(math.floor(x)), 0), len(self.values) - 1)
        return self.values[index]

    def bounds(self) -> list[float]:
        """Give the SALib bounds: ``[low, high]`` of a range, ``[0, k]`` (an index) of a list.

        A range of whole numbers is widened by half a step at each end, so that each whole
        number is equally likely once rounded.
        """
        if not self.is_range:
            return [0.0, float(len(self.values))]
        pad = HALF_STEP if self.integer else 0.0
        return [float(self.low) - pad, float(self.high) + pad]

    def _cast(self, x: float) -> int | float:
        return int(round(float(x))) if self.integer else float(x)


def parse_vary(text: str) -> VarySpec:
    """Parse ``KEY=LOW:HIGH`` or ``KEY=a,b,c`` (syntax only; see :func:`check_vary`).

    Raises
    ------
    ExperimentError
        Missing ``=``, an empty key or value, non-numeric bounds, LOW >= HIGH, a list of
        mixed types.
    """
    key, sep, rest = text.partition("=")
    key, rest = key.strip(), rest.strip()
    if not sep or not key or not rest or any(not part for part in key.split(".")):
        raise ExperimentError(
            f"--vary '{text}': expected KEY=LOW:HIGH (a range) or KEY=a,b,c (a list), "
            "e.g. choice.beta_time=0.02:0.1"
        )
    if ":" in rest and "," not in rest:
        low_text, _, high_text = rest.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            raise ExperimentError(
                f"--vary '{text}': range bounds of '{key}' must be numbers, got '{low_text}' "
                f"and '{high_text}'"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ExperimentError(f"--vary '{text}': range bounds of '{key}' must be finite")
        if low >= high:
            raise ExperimentError(
                f"--vary '{text}': LOW must be below HIGH for '{key}', "
                f"got {low_text} >= {high_text}"
            )
        return VarySpec(key=key, low=low, high=high)
    items = [item.strip() for item in rest.split(",")]
    if any(not item for item in items):
        raise ExperimentError(f"--vary '{text}': empty value in the list of '{key}'")
    values = [_parse_value(item) for item in items]
    if len(set(map(repr, values))) != len(values):
        raise ExperimentError(f"--vary '{text}': repeated value in the list of '{key}'")
    return VarySpec(key=key, values=tuple(_one_type(key, text, values)))


def check_vary(
    specs: Sequence[VarySpec], base: Mapping[str, Any], probe: Callable[[Mapping[str, Any]], Any]
) -> list[VarySpec]:
    """Check every spec against the scenario before anything runs; set the integer flags.

    Parameters
    ----------
    specs
        Parsed specs (:func:`parse_vary`).
    base
        The resolved base scenario as a plain dict (to read each field's current type).
    probe
        ``probe({key: value})`` validates the base scenario with that override and raises an
        :class:`~sim.errors.EdusimError` naming the key when it is unknown or out of range.

    Raises
    ------
    ExperimentError
        A key repeated, reserved or not variable; a range over a text or true/false field;
        a value the scenario rejects (the message includes the scenario's own).
    """
    seen: set[str] = set()
    checked = []
    for spec in specs:
        if spec.key in seen:
            raise ExperimentError(f"--vary: key '{spec.key}' is given twice")
        seen.add(spec.key)
        if spec.key in NOT_VARIABLE or spec.key in RESERVED:
            raise ExperimentError(
                f"--vary {spec.text}: '{spec.key}' cannot be varied "
                "(use --replicates and --seed for randomness; name and description are labels)"
            )
        try:
            current = get_dotted(base, spec.key)
        except ScenarioError:  # an unknown key or an absent block: the probe below names it
            current = None
        if spec.is_range and isinstance(current, (bool, str)):
            raise ExperimentError(
                f"--vary {spec.text}: '{spec.key}' holds {type(current).__name__} values "
                f"(now {current!r}); give a list, e.g. {spec.key}=a,b"
            )
        if spec.is_range and isinstance(current, (dict, list)):
            raise ExperimentError(
                f"--vary {spec.text}: '{spec.key}' is a block of keys, not a number; "
                "vary one of its keys"
            )
        integer = field_type(spec.key) is int or (
            isinstance(current, int) and not isinstance(current, bool)
        )
        if integer and spec.is_range:
            spec = _whole_numbers(spec)
        else:
            spec = dataclasses.replace(spec, integer=integer)
        for value in spec.probe_values():
            try:
                probe({spec.key: value})
            except EdusimError as exc:
                raise ExperimentError(f"--vary {spec.text}: {exc}") from None
        checked.append(spec)
    return checked


def _whole_numbers(spec: VarySpec) -> VarySpec:
    """Make a range over an integer field a range of whole numbers (bounds rounded inwards).

    Raises
    ------
    ExperimentError
        The range holds fewer than two whole numbers.
    """
    low, high = math.ceil(spec.low), math.floor(spec.high)
    if low >= high:
        held = f"only {low}" if low == high else "none"
        raise ExperimentError(
            f"--vary {spec.text}: '{spec.key}' holds whole numbers and the range holds {held}; "
            f"give a range of at least two, e.g. {spec.key}={low}:{low + 1}, or set one value "
            "with --set"
        )
    given = spec.text if (low, high) != (spec.low, spec.high) else ""
    return VarySpec(spec.key, float(low), float(high), integer=True, given=given)


def design_points(specs: Sequence[VarySpec], design: str, samples: int, seed: int) -> pd.DataFrame:
    """Lay out the design: one row per point, columns ``point`` then one per varied key.

    Parameters
    ----------
    specs
        Checked specs (:func:`check_vary`); their order is the column order.
    design
        ``grid``, ``lhs``, ``sobol`` or ``morris`` (see the module docstring).
    samples
        N: levels per range (grid), points (lhs), base sample (sobol), trajectories (morris).
    seed
        Seeds the Latin hypercube and the Sobol scrambling.

    Raises
    ------
    ExperimentError
        Unknown design, no varied key, N below 1 (below 2 or not a power of 2 for sobol, below
        2 for morris).
    """
    check_design(design, samples, len(specs))
    if design == "grid":
        rows = list(itertools.product(*(spec.levels(samples) for spec in specs)))
    else:
        unit = salib_sample(specs, design, samples, seed)
        rows = [tuple(spec.from_unit(x) for spec, x in zip(specs, row)) for row in unit]
    frame = pd.DataFrame(rows, columns=[spec.key for spec in specs])
    frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
    return frame


def check_design(design: str, samples: int, n_keys: int) -> None:
    """Validate the design name, the sample count and the number of varied keys.

    Raises
    ------
    ExperimentError
        Names the option, the value and what is allowed.
    """
    if design not in DESIGNS:
        raise ExperimentError(f"--design '{design}': must be one of {', '.join(DESIGNS)}")
    if n_keys < 1:
        raise ExperimentError("a sweep needs at least one --vary KEY=LOW:HIGH or KEY=a,b,c")
    if samples < 1:
        raise ExperimentError(f"--samples {samples}: must be at least 1")
    if design == "morris" and samples < 2:
        raise ExperimentError(
            f"--samples {samples}: a Morris screening needs at least 2 trajectories (the spread "
            "σ of the elementary effects needs two)"
        )
    if design == "sobol" and (samples < 2 or samples & (samples - 1)):
        below = 2 ** max(1, int(math.log2(max(samples, 2))))
        raise ExperimentError(
            f"--samples {samples}: a Sobol design needs a power of 2 (at least 2), "
            f"e.g. {below} or {below * 2}"
        )


def salib_problem(specs: Sequence[VarySpec]) -> dict[str, Any]:
    """Define the SALib problem (names, bounds) of the varied keys."""
    return {
        "num_vars": len(specs),
        "names": [s.key for s in specs],
        "bounds": [s.bounds() for s in specs],
    }


def runs_table(points: pd.DataFrame, replicates: int, root_seed: int) -> pd.DataFrame:
    """Expand design points into runs: ``run_id, point, <keys>, replicate, seed``.

    ``run_id`` is ``p<point>-r<replicate>`` zero-padded (e.g. ``p000012-r03``), a stable file
    stem; ``seed`` is the root seed (replicate r's generator is ``replicate_rng(seed, r)``).
    """
    if replicates < 1:
        raise ExperimentError(f"--replicates {replicates}: must be at least 1")
    n = len(points)
    wp, wr = max(4, len(str(n - 1))), max(2, len(str(replicates - 1)))
    runs = points.loc[points.index.repeat(replicates)].reset_index(drop=True)
    runs["replicate"] = np.tile(np.arange(replicates, dtype=np.int64), n)
    runs["seed"] = np.int64(root_seed)
    ids = [f"p{p:0{wp}d}-r{r:0{wr}d}" for p, r in zip(runs["point"], runs["replicate"])]
    runs.insert(0, "run_id", ids)
    return runs


def salib_sample(specs: Sequence[VarySpec], design: str, samples: int, seed: int) -> np.ndarray:
    """Draw the SALib sample of a design (in the problem's bounds, before ``from_unit``)."""
    import warnings

    from SALib.sample import latin, morris, sobol

    problem = salib_problem(specs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's convergence notes; N is checked above
        if design == "lhs":
            return latin.sample(problem, samples, seed=seed)
        if design == "morris":
            return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
        return sobol.sample(
            problem, samples, calc_second_order=SECOND_ORDER, scramble=True, seed=seed
        )


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _one_type(key: str, text: str, values: list[Any]) -> list[Any]:
    numeric = [isinstance(v, (int, float)) and not isinstance(v, bool) for v in values]
    if all(numeric):
        return [float(v) for v in values] if any(isinstance(v, float) for v in values) else values
    kinds = {type(v).__name__ for v in values}
    if len(kinds) > 1:
        raise ExperimentError(
            f"--vary '{text}': values of '{key}' must be of one type, "
            f"got {', '.join(sorted(kinds))}"
        )
    return values


def _num(x: float | None) -> str:
    return repr(int(x)) if x is not None and float(x).is_integer() else repr(x)


def _value_text(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)
