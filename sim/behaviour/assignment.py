"""School assignment: student-proposing deferred acceptance in whole-array rounds.

The model gives every pupil a ranked list of up to K "seat pools" (one per school x grade)
and every pool a capacity; schools rank applicants by a priority score. This module computes
the student-proposing deferred-acceptance (DA) matching without any per-pupil Python loop:
each round, all free pupils propose to their next option at once, the new proposals are merged
into the sorted array of held applications, and every pool that received a proposal keeps its
first ``capacity`` applicants. Optionally some options also need a boarding bed from a bed
pool; see :func:`deferred_acceptance`.

The per-pupil reference implementation used by the tests and benchmarks is
``tests/reference_assignment.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["deferred_acceptance"]


def deferred_acceptance(
    preferences,
    priority,
    capacity,
    *,
    bed_pool=None,
    bed_capacity=None,
    by_right=None,
) -> np.ndarray:
    """Assign pupils to schools by student-proposing deferred acceptance.

    Every round, each pupil who holds no offer and still has options proposes to the next
    school on their list. Each school that received a proposal ranks the pupils it holds plus
    its new proposers by ``(priority, pupil index)`` and holds the first ``capacity`` of them;
    the others are rejected and propose to their next option in the following round. The loop
    ends when no pupil proposes. Without beds, the result is the student-optimal stable
    matching (unique, since ties are broken by pupil index).

    With beds, an option may also need a bed from a bed pool. The choice rule each round,
    among all pupils proposing to or held by the schools: first, in each bed pool, the
    applicants needing a bed from it are ranked by ``(priority, pupil index)`` and those with
    rank < ``bed_capacity`` keep a bed claim, the rest are rejected; then, in each school,
    the remaining applicants ranked by ``(priority, pupil index)`` with rank < ``capacity``
    are held and the rest rejected.

    With ``by_right``, some applications are admitted by right (划片: a school's catchment
    pupils): a school never rejects them for lack of a seat, and holds the others only in the
    seats they leave, i.e. it holds its first ``max(capacity, applicants by right)``
    applicants. By-right applications must rank before every other application to the same
    school (lower priority score). Beds stay a hard limit.

    Parameters
    ----------
    preferences : array_like of int, shape (n_pupils, k)
        School (seat pool) ids in ``[0, n_schools)``, best first, one row per pupil. Rows
        shorter than ``k`` are padded with ``-1`` at the end. A school appears at most once in
        a row.
    priority : array_like of float (or int), shape (n_pupils, k)
        ``priority[i, j]`` is pupil ``i``'s priority at school ``preferences[i, j]``
        (dimensionless score; lower is served first; ties are broken by lower pupil index).
        Must not be NaN where ``preferences`` is not ``-1``; ignored at padding.
    capacity : array_like of int, shape (n_schools,)
        Seats of each school (pupils), ``>= 0``. Its length defines ``n_schools``.
    bed_pool : array_like of int, shape (n_pupils, k), optional
        ``bed_pool[i, j]`` is the bed pool (in the model: the school, where the pupil would
        board) that option ``j`` of pupil ``i`` needs a bed from, or ``-1`` if it needs no
        bed. Values in ``[-1, n_bed_pools)``; ignored at padding. Give together with
        ``bed_capacity``.
    bed_capacity : array_like of int, shape (n_bed_pools,), optional
        Beds in each bed pool (pupils), ``>= 0``. Give together with ``bed_pool``.
    by_right : array_like of bool, shape (n_pupils, k), optional
        ``by_right[i, j]``: the school of option ``j`` admits pupil ``i`` by right (beyond
        its capacity). Ignored at padding. Default: no application by right.

    Returns
    -------
    numpy.ndarray of int64, shape (n_pupils,)
        The school each pupil is assigned to, or ``-1`` if unassigned.

    Raises
    ------
    ValueError
        If an argument has the wrong shape or dtype, a school or bed pool id is out of range,
        a school appears twice in a row, a row has a school after ``-1`` padding, a capacity
        is negative, a priority is NaN, only one of ``bed_pool`` and ``bed_capacity`` is
        given, or an application by right ranks after another application to its school.
    """
    pref, prio, cap, bed, bed_cap, n_opts = _validate(
        preferences, priority, capacity, bed_pool, bed_capacity
    )
    right = _validate_right(by_right, pref, prio, cap.size)
    n, k = pref.shape
    match = np.full(n, -1, dtype=np.int64)
    if n == 0 or k == 0:
        return match
    pref_flat = pref.ravel()
    prio_flat = prio.ravel()
    right_flat = right.ravel()
    bed_flat = None if bed is None else bed.ravel()
    n_groups = max(cap.size, 0 if bed_cap is None else bed_cap.size)
    if _bits(n) + _bits(n_groups) > _KEY_BITS:
        # Ids too large to pack into a sort key: general (slower) path.
        if bed_flat is None:
            bed_flat = np.full(pref_flat.size, -1, dtype=np.int64)
            bed_cap = np.zeros(0, dtype=np.int64)
        _rounds_lexsort(pref_flat, prio_flat, cap, bed_flat, bed_cap, n_opts, k, match,
                        right_flat)
    elif bed_flat is None:
        _rounds_plain(pref_flat, prio_flat, cap, n_opts, k, match, right_flat)
    else:
        _rounds_beds(pref_flat, prio_flat, cap, bed_flat, bed_cap, n_opts, k, match, right_flat)
    return match


def _validate_right(by_right, pref: np.ndarray, prio: np.ndarray, n_schools: int) -> np.ndarray:
    """Check ``by_right`` (see :func:`deferred_acceptance`); return it as a bool array."""
    if by_right is None:
        return np.zeros(pref.shape, dtype=bool)
    right = np.asarray(by_right)
    if right.shape != pref.shape:
        raise ValueError(
            f"by_right must have the shape of preferences {pref.shape}, got {right.shape}"
        )
    right = right.astype(bool) & (pref >= 0)
    if right.any() and (~right & (pref >= 0)).any():
        worst_right = np.full(n_schools, -np.inf)
        np.maximum.at(worst_right, pref[right], prio[right].astype(np.float64))
        other = ~right & (pref >= 0)
        best_other = np.full(n_schools, np.inf)
        np.minimum.at(best_other, pref[other], prio[other].astype(np.float64))
        bad = worst_right >= best_other
        if bad.any():
            raise ValueError(
                f"an application by right to school {int(np.flatnonzero(bad)[0])} ranks after "
                "another application to it (by-right priorities must be lower)"
            )
    return right


# --- Sort keys -------------------------------------------------------------------------------
#
# Each application (group g = school or bed pool, priority, pupil i) is ranked by
# (g, priority, i). The fast paths pack this triple exactly into one complex128 number, ordered
# lexicographically by (real, imag): the priority is mapped to an order-preserving uint64 u,
# and the bits of g (bs bits), u (64 bits) and i (bp bits) are split as
#     real = g, then the high 53 - bs bits of u;   imag = the low 11 + bs bits of u, then i.
# Both parts are integers below 2**53, exact in a float64; this needs bs + bp <= _KEY_BITS.
# The real part alone decides almost every comparison (it holds ~42 bits of the priority), so
# sorting and searching use fast float64 operations on it and fall back to the full
# (real, imag) order only when real parts tie (equal or nearly equal priorities).
#
# Held applications are kept in one sorted array per kind (seats, beds), with a count per
# group. Each round the new applications are sorted, inserted with searchsorted, and each
# group they touch drops its entries past capacity: work per round is proportional to the
# number of proposers plus one memory copy of the held array, not a sort of everyone held.

_KEY_BITS = 42


def _bits(count: int) -> int:
    """Bits needed to store ids 0 .. count-1 (at least 1)."""
    return max(1, int(count - 1).bit_length())


def _monotone_u64(values: np.ndarray) -> np.ndarray:
    """Map numbers to uint64 preserving order exactly (no NaN); -0.0 and 0.0 map alike."""
    if values.dtype.kind == "u":
        return values.astype(np.uint64)
    if values.dtype.kind == "i":
        return values.astype(np.int64).view(np.uint64) ^ np.uint64(1 << 63)
    bits = (values.astype(np.float64, copy=False) + 0.0).view(np.uint64)
    # Negative numbers: flip all bits; others: set the sign bit. (int64 >> 63 is 0 or -1.)
    flip = (bits.view(np.int64) >> 63).view(np.uint64) | np.uint64(1 << 63)
    return bits ^ flip


class _Keys:
    """Pack (group, priority, pupil) into sortable complex128 keys and unpack them."""

    def __init__(self, n_pupils: int, n_groups: int):
        bs = _bits(n_groups)
        bp = _bits(n_pupils)
        low = 11 + bs  # bits of u in the imaginary part
        self.g_shift = np.uint64(53 - bs)
        self.u_shift = np.uint64(low)
        self.u_low_mask = np.uint64((1 << low) - 1)
        self.u_low_shift = np.uint64(53 - low)
        self.p_mask = np.uint64((1 << bp) - 1)

    def encode(self, group, priority, pupil) -> np.ndarray:
        """Sorted keys of the applications (group, priority, pupil)."""
        u = _monotone_u64(priority)
        real = ((group.astype(np.uint64) << self.g_shift) | (u >> self.u_shift)).astype(np.float64)
        imag = (((u & self.u_low_mask) << self.u_low_shift) | pupil.astype(np.uint64)).astype(
            np.float64
        )
        order = np.argsort(real)
        sorted_real = real[order]
        if real.size > 1 and (sorted_real[1:] == sorted_real[:-1]).any():
            order = np.lexsort((imag, real))  # ties on the real part: full order
            sorted_real = real[order]
        out = np.empty(real.size, dtype=np.complex128)
        out.real = sorted_real
        out.imag = imag[order]
        return out

    def group(self, keys) -> np.ndarray:
        return (keys.real.astype(np.uint64) >> self.g_shift).astype(np.int64)

    def pupil(self, keys) -> np.ndarray:
        return (keys.imag.astype(np.uint64) & self.p_mask).astype(np.int64)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + l) for each (s, l)."""
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(total, dtype=np.int64)


def _positions(held: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Insertion positions (searchsorted, left) of sorted ``keys`` in sorted ``held``."""
    held_real = held.real
    pos = np.searchsorted(held_real, keys.real)
    inside = pos < held.size
    if (held_real[pos[inside]] == keys.real[inside]).any():
        pos = np.searchsorted(held, keys)  # a real part ties: compare (real, imag)
    return pos


def _delete(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    keep = np.ones(values.size, dtype=bool)
    keep[pos] = False
    return values[keep]


class _Held:
    """Held applications of one kind: sorted complex keys and a count per group."""

    def __init__(self, cap: np.ndarray, keys: _Keys):
        self.cap = cap
        self.keys = keys
        self.sorted = np.zeros(0, dtype=np.complex128)
        self.count = np.zeros(cap.size, dtype=np.int64)
        self.right = np.zeros(cap.size, dtype=np.int64)  # held applications by right

    def add_and_trim(self, new: np.ndarray, right: np.ndarray | None = None) -> np.ndarray:
        """Insert sorted keys ``new``; each group they touch keeps its first ``cap`` keys.

        ``right`` (bool per key of ``new``, in its sorted order) marks applications by right:
        a group keeps its first ``max(cap, held by right)`` keys (those by right rank first).
        Returns the rejected keys (sorted).
        """
        if not new.size:
            return new
        if right is not None and right.any():
            self.right += np.bincount(self.keys.group(new[right]), minlength=self.right.size)
        if self.sorted.size:
            pos = _positions(self.sorted, new) + np.arange(new.size)  # positions after insert
            merged = np.empty(self.sorted.size + new.size, dtype=np.complex128)
            is_old = np.ones(merged.size, dtype=bool)
            is_old[pos] = False
            merged[pos] = new
            merged[is_old] = self.sorted
            self.sorted = merged
        else:
            self.sorted = new
        groups = self.keys.group(new)
        self.count += np.bincount(groups, minlength=self.count.size)
        first = np.empty(groups.size, dtype=bool)
        first[0] = True
        np.not_equal(groups[1:], groups[:-1], out=first[1:])
        touched = groups[first]
        cap = np.maximum(self.cap[touched], self.right[touched])
        excess = self.count[touched] - cap
        over = excess > 0
        if not over.any():
            return new[:0]
        touched, excess, cap = touched[over], excess[over], cap[over]
        start = np.cumsum(self.count) - self.count
        pos = _ranges(start[touched] + cap, excess)
        rejected = self.sorted[pos]
        self.sorted = _delete(self.sorted, pos)
        self.count[touched] = cap
        return rejected

    def remove(self, keys: np.ndarray, right: np.ndarray | None = None) -> None:
        """Remove sorted keys known to be held (``right``: which of them are by right)."""
        if keys.size:
            self.sorted = _delete(self.sorted, _positions(self.sorted, keys))
            self.count -= np.bincount(self.keys.group(keys), minlength=self.count.size)
            if right is not None and right.any():
                self.right -= np.bincount(self.keys.group(keys[right]),
                                          minlength=self.right.size)


def _right_of(keys: _Keys, encoded: np.ndarray, right_flat, ptr, k: int):
    """Whether each key's application (the pupil's option ``ptr``) is by right; None: none is."""
    if right_flat is None or not encoded.size:
        return None
    pupil = keys.pupil(encoded)
    return right_flat[pupil * k + ptr[pupil]]


def _rounds_plain(pref_flat, prio_flat, cap, n_opts, k, match, right_flat=None):
    """Plain DA rounds with packed keys; fills ``match`` in place."""
    keys = _Keys(match.size, cap.size)
    seats = _Held(cap, keys)
    ptr = np.zeros(match.size, dtype=np.int64)  # option currently proposed to / held
    proposers = np.flatnonzero(n_opts > 0)
    if right_flat is not None and not right_flat.any():
        right_flat = None
    while proposers.size:
        flat = proposers * k + ptr[proposers]
        new = keys.encode(pref_flat[flat], prio_flat[flat], proposers)
        rejected = seats.add_and_trim(new, _right_of(keys, new, right_flat, ptr, k))
        rej = keys.pupil(rejected)
        ptr[rej] += 1
        proposers = rej[ptr[rej] < n_opts[rej]]
    match[keys.pupil(seats.sorted)] = keys.group(seats.sorted)


def _rounds_beds(pref_flat, prio_flat, cap, bed_flat, bed_cap, n_opts, k, match,
                 right_flat=None):
    """DA rounds with the bed rule and packed keys; fills ``match`` in place."""
    n = match.size
    if right_flat is not None and not right_flat.any():
        right_flat = None
    keys = _Keys(n, max(cap.size, bed_cap.size))
    seats = _Held(cap, keys)  # held (school, priority, pupil)
    beds = _Held(bed_cap, keys)  # bed claims (bed pool, priority, pupil) of held pupils
    ptr = np.zeros(n, dtype=np.int64)
    lost_bed = np.zeros(n, dtype=bool)
    proposers = np.flatnonzero(n_opts > 0)
    while proposers.size:
        flat = proposers * k + ptr[proposers]
        school = pref_flat[flat]
        pool = bed_flat[flat]
        pr = prio_flat[flat]

        # Stage 1: beds, among held claims and new bed applicants.
        needs = pool >= 0
        r1 = keys.pupil(beds.add_and_trim(keys.encode(pool[needs], pr[needs], proposers[needs])))
        lost_bed[r1] = True
        # Held pupils who lost their bed also lose their seat.
        r1_held = r1[match[r1] >= 0]
        if r1_held.size:
            f = r1_held * k + ptr[r1_held]
            gone = keys.encode(match[r1_held], prio_flat[f], r1_held)
            seats.remove(gone, _right_of(keys, gone, right_flat, ptr, k))
            match[r1_held] = -1

        # Stage 2: seats, among held pupils and new proposers who kept a bed claim.
        ok = ~lost_bed[proposers]
        lost_bed[r1] = False
        match[proposers[ok]] = school[ok]
        new = keys.encode(school[ok], pr[ok], proposers[ok])
        r2 = keys.pupil(seats.add_and_trim(new, _right_of(keys, new, right_flat, ptr, k)))
        match[r2] = -1
        # Pupils rejected for a seat give up their bed claim.
        f = r2 * k + ptr[r2]
        had_bed = bed_flat[f] >= 0
        if had_bed.any():
            f = f[had_bed]
            beds.remove(keys.encode(bed_flat[f], prio_flat[f], r2[had_bed]))

        rej = np.concatenate((r1, r2))
        ptr[rej] += 1
        proposers = rej[ptr[rej] < n_opts[rej]]


def _group_rank(group: np.ndarray) -> np.ndarray:
    """Rank of each element within its run of equal values in the sorted array ``group``."""
    m = group.size
    idx = np.arange(m, dtype=np.int64)
    first = np.empty(m, dtype=bool)
    first[:1] = True
    np.not_equal(group[1:], group[:-1], out=first[1:])
    start = np.where(first, idx, 0)
    np.maximum.accumulate(start, out=start)
    return idx - start


def _rounds_lexsort(pref_flat, prio_flat, cap, bed_flat, bed_cap, n_opts, k, match,
                    right_flat=None):
    """General DA rounds (any id range), re-ranking touched pools with lexsort each round.

    Slower than the packed-key paths: every round re-sorts all pupils held at schools (or bed
    pools) that received a proposal. Fills ``match`` in place.
    """
    n = match.size
    n_schools = cap.size
    n_beds = bed_cap.size
    ptr = np.zeros(n, dtype=np.int64)
    match_bed = np.full(n, -1, dtype=np.int64)  # bed pool of the held option, -1 if none
    # Extra last slot stays False so that index -1 (not held / no bed) reads False.
    seat_touched = np.zeros(n_schools + 1, dtype=bool)
    bed_touched = np.zeros(n_beds + 1, dtype=bool)
    proposers = np.flatnonzero(n_opts > 0)
    while proposers.size:
        new_flat = proposers * k + ptr[proposers]
        new_school = pref_flat[new_flat]
        new_bed = bed_flat[new_flat]
        seat_touched[new_school] = True
        bed_touched[new_bed] = True
        bed_touched[n_beds] = False
        # Everyone whose decision can change: held at a school with new proposers, or
        # holding a bed claim in a pool with new bed applicants.
        held = np.flatnonzero(seat_touched[match] | bed_touched[match_bed])
        cand = np.concatenate((held, proposers))
        flat = cand * k + ptr[cand]
        school = pref_flat[flat]
        bpool = bed_flat[flat]
        pr = prio_flat[flat]
        rejected_mask = np.zeros(cand.size, dtype=bool)

        # Stage 1: beds. Pools without new applicants hold at most bed_capacity already.
        need = np.flatnonzero(bed_touched[bpool])
        if need.size:
            order = need[np.lexsort((cand[need], pr[need], bpool[need]))]
            bp = bpool[order]
            rejected_mask[order[_group_rank(bp) >= bed_cap[bp]]] = True

        # Stage 2: seats, in schools with new proposers (their held pupils are all in cand).
        # Schools without new proposers only lose pupils, so the rest stay within capacity.
        seat = np.flatnonzero(seat_touched[school] & ~rejected_mask)
        if seat.size:
            order = seat[np.lexsort((cand[seat], pr[seat], school[seat]))]
            sc = school[order]
            room = cap
            if right_flat is not None:  # by right: at least as many seats as such applicants
                room = np.maximum(cap, np.bincount(sc[right_flat[flat[order]]],
                                                   minlength=n_schools))
            rejected_mask[order[_group_rank(sc) >= room[sc]]] = True

        seat_touched[new_school] = False
        bed_touched[new_bed] = False

        keep = ~rejected_mask
        kept = cand[keep]
        match[kept] = school[keep]
        match_bed[kept] = bpool[keep]
        rejected = cand[rejected_mask]
        match[rejected] = -1
        match_bed[rejected] = -1
        ptr[rejected] += 1
        proposers = rejected[ptr[rejected] < n_opts[rejected]]


def _as_int_array(value, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array, got {arr.ndim}-D with shape {arr.shape}"
        )
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must have an integer dtype, got {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _has_duplicate(pref: np.ndarray, padded: bool) -> bool:
    """Whether some row of ``pref`` lists a school twice (padding -1 excluded)."""
    k = pref.shape[1]
    if k > 16:
        srt = np.sort(pref, axis=1)
        return bool(((srt[:, 1:] == srt[:, :-1]) & (srt[:, 1:] >= 0)).any())
    # Few columns: compare column pairs (a transposed copy makes columns contiguous).
    dtype = np.int32 if pref.size and pref.max() < 2**31 else np.int64
    cols = np.ascontiguousarray(pref.T, dtype=dtype)
    for a in range(k - 1):
        for b in range(a + 1, k):
            same = cols[a] == cols[b]
            if padded and same.any():
                same &= cols[a] >= 0
            if same.any():
                return True
    return False


def _validate(preferences, priority, capacity, bed_pool, bed_capacity):
    """Check the arguments; return (pref, prio, cap, bed, bed_cap, n_opts) as arrays."""
    pref = _as_int_array(preferences, "preferences", 2)
    n, k = pref.shape

    cap = _as_int_array(capacity, "capacity", 1)
    n_schools = cap.size
    if cap.size and cap.min() < 0:
        bad = int(np.flatnonzero(cap < 0)[0])
        raise ValueError(f"capacity must be >= 0, got {cap[bad]} for school {bad}")

    padded = False
    if pref.size:
        lo, hi = pref.min(), pref.max()
        if lo < -1 or hi >= n_schools:
            i, j = np.argwhere((pref < -1) | (pref >= n_schools))[0]
            raise ValueError(
                f"preferences must hold school ids in [0, {n_schools}) or -1 for padding "
                f"(n_schools = len(capacity)), got {pref[i, j]} at row {i}, column {j}"
            )
        padded = lo == -1
    if padded:
        listed = pref >= 0
        after_pad = listed[:, 1:] > listed[:, :-1]
        if after_pad.any():
            i, j = np.argwhere(after_pad)[0]
            raise ValueError(
                f"preferences must be padded with -1 only at the end of a row, "
                f"row {i} has school {pref[i, j + 1]} after -1 at column {j}"
            )
        n_opts = listed.sum(axis=1)
    else:
        listed = None
        n_opts = np.full(n, k, dtype=np.int64)
    if k > 1 and n and _has_duplicate(pref, padded):
        srt = np.sort(pref, axis=1)
        dup = (srt[:, 1:] == srt[:, :-1]) & (srt[:, 1:] >= 0)
        i, j = np.argwhere(dup)[0]
        raise ValueError(
            f"preferences must list each school at most once per row, "
            f"row {i} lists school {srt[i, j]} twice"
        )

    prio = np.asarray(priority)
    if prio.shape != pref.shape:
        raise ValueError(
            f"priority must have the shape of preferences {pref.shape}, got {prio.shape}"
        )
    if prio.size and prio.dtype.kind not in "fiu":
        raise ValueError(f"priority must have a float (or integer) dtype, got {prio.dtype}")
    if prio.dtype.kind == "f" and np.isnan(prio).any():
        nan = np.isnan(prio) if listed is None else np.isnan(prio) & listed
        if nan.any():
            i, j = np.argwhere(nan)[0]
            raise ValueError(
                f"priority must not be NaN where preferences lists a school, "
                f"got NaN at row {i}, column {j}"
            )

    if (bed_pool is None) != (bed_capacity is None):
        raise ValueError("bed_pool and bed_capacity must be given together (or both omitted)")
    if bed_pool is None:
        return pref, prio, cap, None, None, n_opts

    bed_cap = _as_int_array(bed_capacity, "bed_capacity", 1)
    if bed_cap.size and bed_cap.min() < 0:
        bad = int(np.flatnonzero(bed_cap < 0)[0])
        raise ValueError(f"bed_capacity must be >= 0, got {bed_cap[bad]} for bed pool {bad}")
    bed = np.asarray(bed_pool)
    if bed.shape != pref.shape:
        raise ValueError(
            f"bed_pool must have the shape of preferences {pref.shape}, got {bed.shape}"
        )
    bed = _as_int_array(bed, "bed_pool", 2)
    n_beds = bed_cap.size
    bad = (bed < -1) | (bed >= n_beds)
    if listed is not None:
        bad &= listed
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"bed_pool must hold bed pool ids in [0, {n_beds}) or -1 for no bed "
            f"(n_bed_pools = len(bed_capacity)), got {bed[i, j]} at row {i}, column {j}"
        )
    if listed is not None:
        bed = np.where(listed, bed, -1)
    return pref, prio, cap, bed, bed_cap, n_opts
