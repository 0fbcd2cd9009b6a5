"""Seeds: every replicate's generator derives from one root seed (``SeedSequence.spawn``)."""

from __future__ import annotations

import numpy as np


def replicate_seed_sequence(root_seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed sequence of replicate ``replicate`` under ``root_seed``.

    Equal to ``SeedSequence(root_seed).spawn(n)[replicate]`` for any n > replicate, so a single
    replicate can be rerun without spawning the others, and replicate r of every scenario
    shares its random numbers (common random numbers).
    """
    if root_seed < 0 or replicate < 0:
        raise ValueError(f"seed and replicate must be non-negative, got {root_seed}, {replicate}")
    return np.random.SeedSequence(root_seed, spawn_key=(replicate,))


def replicate_rng(root_seed: int, replicate: int) -> np.random.Generator:
    """A fresh ``numpy.random.Generator`` for one replicate."""
    return np.random.default_rng(replicate_seed_sequence(root_seed, replicate))


WORLD_STREAM = 2**32 - 1  # a spawn key no replicate uses


def world_rng(root_seed: int) -> np.random.Generator:
    """The generator of the synthetic county's geography: derived from the root seed alone, so
    every replicate (and every scenario compared under common random numbers) sees the same
    county, and a school keeps its id across replicates.
    """
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(WORLD_STREAM,)))
