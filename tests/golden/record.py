"""Record (or compare) every bundled scenario's outputs for two seeds and a few years.

The golden files pin the model's behaviour byte for byte: a refactor must leave them
unchanged (``tests/test_golden.py`` compares). A deliberate change of behaviour regenerates
them with ``python tests/golden/record.py`` and says why in its commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import sim
from sim.scenario import bundled_names

HERE = Path(__file__).parent
SEEDS = (1, 2)
YEARS = 4
# The national path needs its 2012 regime (halt, restored teaching points) in the record.
YEARS_BY_SCENARIO = {"china_2001_2020": 14}
TABLES = ("county", "schools", "events")


def outputs(name: str) -> dict[str, str]:
    """The CSV text of each table of ``name`` over ``SEEDS``, a few years each."""
    years = YEARS_BY_SCENARIO.get(name, YEARS)
    scenario = sim.load_scenario(name, [f"years={years}"])
    frames: dict[str, list[pd.DataFrame]] = {table: [] for table in TABLES}
    for seed in SEEDS:
        result = sim.run(scenario, seed=seed, replicates=1)
        for table in TABLES:
            frame = getattr(result, table).copy()
            frame.insert(0, "seed", seed)
            frames[table].append(frame)
    return {
        table: pd.concat(parts, ignore_index=True).to_csv(index=False, lineterminator="\n")
        for table, parts in frames.items()
    }


def path(name: str, table: str) -> Path:
    return HERE / f"{name}.{table}.csv"


def main() -> None:
    names = sys.argv[1:] or bundled_names()
    for name in names:
        for table, text in outputs(name).items():
            path(name, table).write_text(text, encoding="utf-8")
        print(f"recorded {name}")


if __name__ == "__main__":
    main()
