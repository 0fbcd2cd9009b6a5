"""Row-wise work on (rows × options) arrays, and row sets of a table, at whole-array speed.

A pupil's options (a dozen candidate schools) and a family's migration alternatives (six) are
the short second axis of (n, K) arrays. NumPy's reductions along a short last axis pay a
per-row cost that makes them 3–6× slower than the same work done column by column over the
K columns (whole-array operations on n values each), with the same floating-point result:
each column is combined in order, as NumPy's own reduction and cumulative sum do along a row.
The loops below are over K columns, never over rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def row_any(a: np.ndarray) -> np.ndarray:
    """``a.any(axis=1)`` for a 2-D array: (n,) bool."""
    a = np.asarray(a)
    out = np.zeros(a.shape[0], dtype=bool)
    for j in range(a.shape[1]):
        out |= a[:, j].astype(bool, copy=False)
    return out


def row_has(a: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``(a == values[:, None]).any(axis=1)``: whether each row of ``a`` holds its value."""
    a = np.asarray(a)
    out = np.zeros(a.shape[0], dtype=bool)
    for j in range(a.shape[1]):
        out |= a[:, j] == values
    return out


def row_count(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a 2-D bool array: (n,) int64, the true entries per row."""
    a = np.asarray(a)
    out = np.zeros(a.shape[0], dtype=np.int64)
    for j in range(a.shape[1]):
        out += a[:, j]
    return out


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` for a 2-D array with at least one column: (n,)."""
    a = np.asarray(a)
    out = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.maximum(out, a[:, j], out=out)
    return out


def row_cumsum(a: np.ndarray) -> np.ndarray:
    """``np.cumsum(a, axis=1)`` for a 2-D array, the same sums in the same order."""
    out = np.array(a, copy=True)
    for j in range(1, out.shape[1]):
        out[:, j] += out[:, j - 1]
    return out


def row_gather(order: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A function reordering the columns of any (n, K) array row by row as ``order`` says.

    ``np.take_along_axis(a, order, axis=1)``, through one flat index computed once: a ranking
    reorders a dozen arrays the same way, and a flat gather is about 4× faster.
    """
    n, k = order.shape
    flat = order + np.arange(0, n * k, k, dtype=np.int64)[:, None]
    return lambda a: np.asarray(a).reshape(-1)[flat]


def rows_marked(n: int, *parts: np.ndarray) -> np.ndarray:
    """The sorted, distinct rows of a table of ``n`` rows named in any of ``parts`` (int64).

    A mask over the table, not a sort: linear in ``n`` (``np.unique`` of the joined parts sorts).
    """
    marked = np.zeros(n, dtype=bool)
    for part in parts:
        marked[part] = True
    return np.flatnonzero(marked)
