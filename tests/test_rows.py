"""The row helpers give exactly what NumPy's own row-wise operations give."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.rows import row_any, row_count, row_cumsum, row_gather, row_has, row_max, rows_marked

shapes = st.tuples(st.integers(0, 40), st.integers(1, 12))
floats = st.floats(-1e6, 1e6, allow_nan=False) | st.just(-np.inf)


@given(arrays(np.float64, shapes, elements=floats))
def test_reductions_match_numpy(a):
    assert np.array_equal(row_max(a), a.max(axis=1))
    assert np.array_equal(row_cumsum(a), np.cumsum(a, axis=1), equal_nan=True)
    assert np.array_equal(row_any(a > 0), (a > 0).any(axis=1))
    assert np.array_equal(row_count(a > 0), (a > 0).sum(axis=1))


@given(arrays(np.int64, shapes, elements=st.integers(-1, 5)), st.data())
def test_row_has_and_gather_match_numpy(a, data):
    values = data.draw(arrays(np.int64, a.shape[0], elements=st.integers(-1, 5)))
    assert np.array_equal(row_has(a, values), (a == values[:, None]).any(axis=1))
    order = np.argsort(-a, axis=1, kind="stable")
    assert np.array_equal(row_gather(order)(a), np.take_along_axis(a, order, axis=1))


def test_rows_marked_is_sorted_and_distinct():
    got = rows_marked(10, np.array([7, 2, 2]), np.array([], dtype=np.int64), np.array([0, 7]))
    assert got.tolist() == [0, 2, 7]
