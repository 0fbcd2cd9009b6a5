"""Tests of sim.behaviour.assignment.deferred_acceptance against properties and a reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_assignment import deferred_acceptance_reference

from sim.behaviour import assignment
from sim.behaviour.assignment import deferred_acceptance

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


# --- Random instances -----------------------------------------------------------------------


@st.composite
def instances(draw, beds: bool = False):
    """Small instances: rows padded with -1, capacities including 0, priorities with ties."""
    n_schools = draw(st.integers(1, 5))
    n_pupils = draw(st.integers(0, 12))
    k = draw(st.integers(0, n_schools))
    pref = np.full((n_pupils, k), -1, dtype=np.int64)
    for i in range(n_pupils):
        order = draw(st.permutations(range(n_schools)))
        length = draw(st.integers(0, k))
        pref[i, :length] = order[:length]
    prio_values = draw(
        st.one_of(
            st.sampled_from([(0.0,), (0.0, 1.0), (0.0, 0.5, 1.0, 2.0), (-1.0, -0.0, 0.0, 3.5)]),
            st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=8).map(tuple),
        )
    )
    prio = np.array(
        [[draw(st.sampled_from(prio_values)) for _ in range(k)] for _ in range(n_pupils)],
        dtype=np.float64,
    ).reshape(n_pupils, k)
    cap = np.array([draw(st.integers(0, 3)) for _ in range(n_schools)], dtype=np.int64)
    if not beds:
        return pref, prio, cap, None, None
    n_beds = draw(st.integers(1, 3))
    bed_pool = np.array(
        [[draw(st.integers(-1, n_beds - 1)) for _ in range(k)] for _ in range(n_pupils)],
        dtype=np.int64,
    ).reshape(n_pupils, k)
    bed_pool[pref < 0] = -1
    bed_cap = np.array([draw(st.integers(0, 3)) for _ in range(n_beds)], dtype=np.int64)
    return pref, prio, cap, bed_pool, bed_cap


def _option_index(pref: np.ndarray, match: np.ndarray) -> np.ndarray:
    """Column of each pupil's match in their list (-1 if unassigned); asserts it is listed."""
    col = np.full(match.size, -1, dtype=np.int64)
    for i, s in enumerate(match):
        if s >= 0:
            hits = np.flatnonzero(pref[i] == s)
            assert hits.size == 1, f"pupil {i} assigned to school {s} not in their list"
            col[i] = hits[0]
    return col


def _blocking_pairs(pref, prio, cap, match):
    """Pairs (pupil, school) that block the matching (plain DA rules)."""
    col = _option_index(pref, match)
    held = {s: [] for s in range(cap.size)}
    for i, s in enumerate(match):
        if s >= 0:
            held[s].append((prio[i, col[i]], i))
    blocking = []
    for i in range(pref.shape[0]):
        stop = col[i] if col[i] >= 0 else int((pref[i] >= 0).sum())
        for j in range(stop):
            s = pref[i, j]
            mine = (prio[i, j], i)
            if len(held[s]) < cap[s] or any(other > mine for other in held[s]):
                blocking.append((i, s))
    return blocking


# --- Properties -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(instances())
def test_plain_da_is_listed_feasible_stable_and_matches_reference(inst):
    pref, prio, cap, _, _ = inst
    match = deferred_acceptance(pref, prio, cap)
    assert match.shape == (pref.shape[0],)
    _option_index(pref, match)  # every assignment is a listed school
    counts = np.bincount(match[match >= 0], minlength=cap.size)
    assert (counts <= cap).all()
    assert _blocking_pairs(pref, prio, cap, match) == []
    np.testing.assert_array_equal(match, deferred_acceptance_reference(pref, prio, cap))


@PROPERTY_SETTINGS
@given(instances(beds=True))
def test_da_with_beds_is_feasible_and_matches_reference(inst):
    pref, prio, cap, bed_pool, bed_cap = inst
    match = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap)
    col = _option_index(pref, match)
    counts = np.bincount(match[match >= 0], minlength=cap.size)
    assert (counts <= cap).all()
    assigned = np.flatnonzero(match >= 0)
    pools = bed_pool[assigned, col[assigned]]
    bed_counts = np.bincount(pools[pools >= 0], minlength=bed_cap.size)
    assert (bed_counts <= bed_cap).all()
    expected = deferred_acceptance_reference(pref, prio, cap, bed_pool, bed_cap)
    np.testing.assert_array_equal(match, expected)


@PROPERTY_SETTINGS
@given(instances(beds=True))
def test_beds_that_never_bind_give_plain_da(inst):
    pref, prio, cap, bed_pool, bed_cap = inst
    plain = deferred_acceptance(pref, prio, cap)
    ample = np.full(bed_cap.size, pref.shape[0])
    np.testing.assert_array_equal(
        deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=ample), plain
    )
    no_beds = np.full_like(bed_pool, -1)
    np.testing.assert_array_equal(
        deferred_acceptance(pref, prio, cap, bed_pool=no_beds, bed_capacity=bed_cap), plain
    )


@PROPERTY_SETTINGS
@given(instances(beds=True), st.booleans())
def test_general_path_matches_reference(inst, with_beds):
    """The lexsort path (used when ids are too large for packed keys) gives the same answer."""
    pref, prio, cap, bed_pool, bed_cap = inst
    if not with_beds:
        bed_pool = bed_cap = None
    fast = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap)
    saved = assignment._KEY_BITS
    assignment._KEY_BITS = 0
    try:
        general = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap)
    finally:
        assignment._KEY_BITS = saved
    np.testing.assert_array_equal(general, fast)
    np.testing.assert_array_equal(
        general, deferred_acceptance_reference(pref, prio, cap, bed_pool, bed_cap)
    )


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("with_beds", [False, True])
def test_medium_random_instance_matches_reference(ties, with_beds):
    rng = np.random.default_rng(7 + ties + 2 * with_beds)
    n, k, n_schools = 3000, 6, 60
    pref = np.argsort(rng.random((n, n_schools)), axis=1)[:, :k]
    lengths = rng.integers(0, k + 1, n)
    pref[np.arange(k)[None, :] >= lengths[:, None]] = -1
    prio = rng.integers(0, 5, (n, k)).astype(float) if ties else rng.normal(size=(n, k))
    cap = rng.integers(0, 60, n_schools)
    bed_pool = bed_cap = None
    if with_beds:
        bed_pool = np.where(rng.random((n, k)) < 0.4, pref, -1)
        bed_cap = rng.integers(0, 20, n_schools)
    got = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap)
    np.testing.assert_array_equal(
        got, deferred_acceptance_reference(pref, prio, cap, bed_pool, bed_cap)
    )
    if not with_beds:
        assert _blocking_pairs(pref, prio, cap, got) == []


@pytest.mark.parametrize(
    "prio",
    [
        np.array([[3, -2], [3, -(2**62)], [-(2**63), 2**62]], dtype=np.int64),
        np.array([[3, 2], [3, 2**63], [0, 2**64 - 1]], dtype=np.uint64),
        np.array([[0.5, -np.inf], [0.5, np.inf], [-0.0, 0.0]], dtype=np.float32),
        np.array([[1e-300, -1e-300], [5e-324, 0.0], [-0.0, -5e-324]]),
    ],
)
def test_priority_dtypes_and_extreme_values_match_reference(prio):
    pref = np.array([[0, 1], [0, 1], [1, 0]])
    for cap in ([1, 1], [1, 0], [0, 2], [2, 1]):
        cap = np.array(cap)
        np.testing.assert_array_equal(
            deferred_acceptance(pref, prio, cap),
            deferred_acceptance_reference(pref, prio, cap),
        )


# --- Hand-made cases --------------------------------------------------------------------------


def test_two_pupils_one_seat_priority_decides():
    pref = np.array([[0], [0]])
    cap = np.array([1])
    match = deferred_acceptance(pref, np.array([[1.0], [0.5]]), cap)
    np.testing.assert_array_equal(match, [-1, 0])
    match = deferred_acceptance(pref, np.array([[0.5], [1.0]]), cap)
    np.testing.assert_array_equal(match, [0, -1])


def test_equal_priority_lower_index_wins():
    pref = np.array([[0], [0], [0]])
    prio = np.array([[2.0], [1.0], [1.0]])
    np.testing.assert_array_equal(deferred_acceptance(pref, prio, np.array([1])), [-1, 0, -1])
    # -0.0 and 0.0 are equal priorities.
    prio = np.array([[0.0], [-0.0], [1.0]])
    np.testing.assert_array_equal(deferred_acceptance(pref, prio, np.array([1])), [0, -1, -1])


def test_chain_of_rejections():
    # A=0 prefers pupil 2 to pupil 0; B=1 prefers pupil 0 to pupil 1; one seat each.
    # Round 1: 0->A, 1->B, 2->A; A rejects 0. Round 2: 0->B; B rejects 1. Round 3: 1->C.
    pref = np.array([[0, 1, 2], [1, 2, -1], [0, -1, -1]])
    prio = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, np.nan], [0.0, np.nan, np.nan]])
    match = deferred_acceptance(pref, prio, np.array([1, 1, 1]))
    np.testing.assert_array_equal(match, [1, 2, 0])


def test_zero_capacity_school_is_skipped():
    pref = np.array([[0, 1], [1, -1]])
    prio = np.array([[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(deferred_acceptance(pref, prio, np.array([0, 1])), [-1, 1])
    np.testing.assert_array_equal(deferred_acceptance(pref, prio, np.array([0, 2])), [1, 1])


def test_bed_shortage_sends_lower_priority_boarder_elsewhere():
    # School 0 has two seats but one bed; both pupils would board there.
    pref = np.array([[0, 1], [0, 1]])
    prio = np.array([[0.2, 0.0], [0.1, 0.0]])
    bed_pool = np.array([[0, -1], [0, -1]])
    match = deferred_acceptance(
        pref, prio, np.array([2, 5]), bed_pool=bed_pool, bed_capacity=np.array([1])
    )
    np.testing.assert_array_equal(match, [1, 0])


def test_held_pupil_loses_shared_bed_to_later_proposer():
    # Bed pool 0 (one bed) serves schools 0 and 1. Round 1: pupil 0 is held at school 0 with
    # the bed; pupil 2 beats pupil 1 at school 3. Round 2: pupil 1 proposes to school 1 and
    # needs bed pool 0 with a better priority, so pupil 0 loses the bed and the seat.
    # Round 3: pupil 0 goes to school 2.
    pref = np.array([[0, 2], [3, 1], [3, -1]])
    prio = np.array([[0.5, 0.0], [0.5, 0.1], [0.0, 0.0]])
    bed_pool = np.array([[0, -1], [-1, 0], [-1, -1]])
    match = deferred_acceptance(
        pref, prio, np.array([1, 1, 1, 1]), bed_pool=bed_pool, bed_capacity=np.array([1])
    )
    np.testing.assert_array_equal(match, [2, 1, 3])
    np.testing.assert_array_equal(
        deferred_acceptance_reference(pref, prio, np.array([1, 1, 1, 1]), bed_pool, [1]),
        [2, 1, 3],
    )


def test_empty_inputs():
    out = deferred_acceptance(np.zeros((0, 3), int), np.zeros((0, 3)), np.array([1, 2]))
    assert out.shape == (0,) and out.dtype == np.int64
    out = deferred_acceptance(np.zeros((4, 0), int), np.zeros((4, 0)), np.array([1]))
    np.testing.assert_array_equal(out, [-1, -1, -1, -1])
    out = deferred_acceptance(np.full((2, 2), -1), np.zeros((2, 2)), np.zeros(0, int))
    np.testing.assert_array_equal(out, [-1, -1])


def test_inputs_are_not_modified():
    pref = np.array([[0, 1], [1, 0], [0, -1]])
    prio = np.array([[0.3, 0.1], [0.2, 0.4], [0.1, np.nan]])
    cap = np.array([1, 1])
    bed_pool = np.array([[0, -1], [1, 0], [-1, 5]])
    copies = [a.copy() for a in (pref, prio, cap, bed_pool)]
    deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=np.array([1, 1]))
    for a, b in zip((pref, prio, cap, bed_pool), copies):
        np.testing.assert_array_equal(a, b)


# --- Validation -------------------------------------------------------------------------------

PREF = np.array([[0, 1], [1, -1]])
PRIO = np.array([[0.0, 1.0], [0.5, 0.0]])
CAP = np.array([1, 1])
BED = np.array([[0, -1], [-1, -1]])
BED_CAP = np.array([1])


@pytest.mark.parametrize(
    ("kwargs", "name", "fragment"),
    [
        (dict(preferences=np.array([0, 1])), "preferences", "2-D"),
        (dict(preferences=PREF.astype(float)), "preferences", "integer"),
        (dict(preferences=np.array([[0, 2], [1, -1]])), "preferences", "[0, 2)"),
        (dict(preferences=np.array([[0, -2], [1, -1]])), "preferences", "-1"),
        (dict(preferences=np.array([[-1, 1], [1, -1]])), "preferences", "padded"),
        (dict(preferences=np.array([[1, 1], [1, -1]])), "preferences", "at most once"),
        (dict(priority=PRIO[:, :1]), "priority", "shape"),
        (dict(priority=PRIO.astype(str)), "priority", "float"),
        (dict(priority=PRIO > 0), "priority", "float"),
        (dict(priority=np.array([[0.0, np.nan], [0.5, 0.0]])), "priority", "NaN"),
        (dict(capacity=np.array([[1, 1]])), "capacity", "1-D"),
        (dict(capacity=np.array([1.0, 1.0])), "capacity", "integer"),
        (dict(capacity=np.array([1, -1])), "capacity", ">= 0"),
        (dict(bed_pool=BED), "bed_pool", "together"),
        (dict(bed_capacity=BED_CAP), "bed_capacity", "together"),
        (dict(bed_pool=BED[:1], bed_capacity=BED_CAP), "bed_pool", "shape"),
        (dict(bed_pool=BED.astype(float), bed_capacity=BED_CAP), "bed_pool", "integer"),
        (dict(bed_pool=np.array([[0, 1], [-1, -1]]), bed_capacity=BED_CAP), "bed_pool", "[0, 1)"),
        (dict(bed_pool=BED, bed_capacity=np.array([-1])), "bed_capacity", ">= 0"),
        (dict(bed_pool=BED, bed_capacity=np.array([[1]])), "bed_capacity", "1-D"),
    ],
)
def test_validation_errors_name_the_argument(kwargs, name, fragment):
    args = dict(preferences=PREF, priority=PRIO, capacity=CAP)
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        deferred_acceptance(
            args.pop("preferences"), args.pop("priority"), args.pop("capacity"), **args
        )
    message = str(err.value)
    assert name in message, message
    assert fragment in message, message


def test_padding_values_are_ignored():
    # NaN priority and any bed pool id at padding are fine.
    pref = np.array([[0, -1], [0, 1]])
    prio = np.array([[0.0, np.nan], [1.0, 0.0]])
    bed_pool = np.array([[-1, 99], [-1, -1]])
    match = deferred_acceptance(pref, prio, CAP, bed_pool=bed_pool, bed_capacity=BED_CAP)
    np.testing.assert_array_equal(match, [0, 1])


def test_accepts_lists():
    match = deferred_acceptance([[0, 1], [0, 1]], [[0.2, 0.0], [0.1, 0.0]], [1, 1])
    np.testing.assert_array_equal(match, [1, 0])


# --- Admission by right (划片) ----------------------------------------------------------------


@st.composite
def instances_by_right(draw, beds: bool = False):
    """Instances where some applications are by right; those rank before the others."""
    pref, prio, cap, bed_pool, bed_cap = draw(instances(beds=beds))
    right = np.array(
        [[draw(st.booleans()) for _ in range(pref.shape[1])] for _ in range(pref.shape[0])],
        dtype=bool,
    ).reshape(pref.shape) & (pref >= 0)
    prio = np.where(right, prio - 1e7, prio)  # by-right applications rank first
    return pref, prio, cap, bed_pool, bed_cap, right


@PROPERTY_SETTINGS
@given(instances_by_right())
def test_by_right_matches_the_reference_and_never_rejects_a_right(inst):
    pref, prio, cap, _, _, right = inst
    match = deferred_acceptance(pref, prio, cap, by_right=right)
    np.testing.assert_array_equal(match, deferred_acceptance_reference(pref, prio, cap,
                                                                       by_right=right))
    # A pupil with a right somewhere is placed at that school or one it ranks higher.
    for i in range(pref.shape[0]):
        cols = np.flatnonzero(right[i])
        if cols.size:
            assert match[i] >= 0
            assert np.flatnonzero(pref[i] == match[i])[0] <= cols[0]
    # Over capacity only by right: a school's pupils beyond its seats all hold a right there.
    for school in range(cap.size):
        held = np.flatnonzero(match == school)
        by_right = sum(bool(right[i][pref[i] == school].any()) for i in held)
        assert held.size <= max(cap[school], by_right)


@PROPERTY_SETTINGS
@given(instances_by_right(beds=True))
def test_by_right_with_beds_matches_the_reference(inst):
    pref, prio, cap, bed_pool, bed_cap, right = inst
    match = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap,
                                by_right=right)
    slow = deferred_acceptance_reference(pref, prio, cap, bed_pool=bed_pool,
                                         bed_capacity=bed_cap, by_right=right)
    np.testing.assert_array_equal(match, slow)
    boarders = np.zeros(bed_cap.size, dtype=np.int64)
    for i, s in enumerate(match):
        if s >= 0:
            b = bed_pool[i][np.flatnonzero(pref[i] == s)[0]]
            if b >= 0:
                boarders[b] += 1
    assert (boarders <= bed_cap).all()


@PROPERTY_SETTINGS
@given(instances_by_right(beds=True))
def test_by_right_general_path_equals_the_fast_path(inst):
    pref, prio, cap, bed_pool, bed_cap, right = inst
    fast = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap,
                               by_right=right)
    saved = assignment._KEY_BITS
    assignment._KEY_BITS = 0  # force the general lexsort path
    try:
        general = deferred_acceptance(pref, prio, cap, bed_pool=bed_pool, bed_capacity=bed_cap,
                                      by_right=right)
    finally:
        assignment._KEY_BITS = saved
    np.testing.assert_array_equal(fast, general)


def test_a_right_that_ranks_after_another_application_is_refused():
    with pytest.raises(ValueError, match="by right"):
        deferred_acceptance([[0], [0]], [[0.0], [1.0]], [1], by_right=[[False], [True]])
