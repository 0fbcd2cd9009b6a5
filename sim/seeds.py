"""Seeds: every replicate's generator derives from one root seed (``SeedSequence.spawn``)."""

from __future__ import annotations

import numpy as np


def replicate_seed_sequence(root_seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed sequence of replicate ``replicate`` under ``root_seed``.

    Equal to ``SeedSequence(root_seed).spawn(n)[replicate]`` for any n > replicate, so a single
    replicate can be rerun without spawning the others, and replicate r of every scenario
    shares its random numbers (common random numbers).

    Parameters
    ----------
    root_seed : int
        The run's root seed (non-negative).
    replicate : int
        The replicate's index, from 0.

    Returns
    -------
    numpy.random.SeedSequence
        The replicate's seed sequence (spawn key ``(replicate,)``).

    Raises
    ------
    ValueError
        When ``root_seed`` or ``replicate`` is negative.
    """
    if root_seed < 0 or replicate < 0:
        raise ValueError(f"seed and replicate must be non-negative, got {root_seed}, {replicate}")
    return np.random.SeedSequence(root_seed, spawn_key=(replicate,))


def replicate_rng(root_seed: int, replicate: int) -> np.random.Generator:
    """A fresh ``numpy.random.Generator`` for one replicate.

    Parameters
    ----------
    root_seed : int
        The run's root seed (non-negative).
    replicate : int
        The replicate's index, from 0.

    Returns
    -------
    numpy.random.Generator
        A generator seeded by :func:`replicate_seed_sequence`.

    Raises
    ------
    ValueError
        When ``root_seed`` or ``replicate`` is negative.
    """
    return np.random.default_rng(replicate_seed_sequence(root_seed, replicate))


WORLD_STREAM = 2**32 - 1  # a spawn key no replicate uses


def world_rng(root_seed: int) -> np.random.Generator:
    """The generator of the synthetic county's geography, from the root seed alone.

    Every replicate (and every scenario compared under common random numbers) sees the same
    county, and a school keeps its id across replicates.

    Parameters
    ----------
    root_seed : int
        The run's root seed (non-negative).

    Returns
    -------
    numpy.random.Generator
        A generator on the spawn key :data:`WORLD_STREAM`, which no replicate uses.
    """
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(WORLD_STREAM,)))
