"""vxfast.Tracker (ByteTrack): identical IDs to Ultralytics' BYTETracker on seeded synthetic sequences
from the MOT ground truth motmetrics ships, lap-identical assignment, input checks, time-aware ageing."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from tracking_reference import run_ultralytics, synthetic_sequence
from vxfast._core import track as core_track


def run_vxfast(frames, times=None, **params):
    t = vxfast.Tracker("bytetrack", **params)
    return [t.update(f, None if times is None else times[i]) for i, f in enumerate(frames)]


def assert_same_tracks(ref, got):
    assert len(ref) == len(got)
    for i, (a, b) in enumerate(zip(ref, got)):
        assert a.shape == b.shape, f"frame {i}: {a.shape} vs {b.shape}"
        np.testing.assert_array_equal(a[:, 4], b[:, 4], err_msg=f"track IDs differ in frame {i}")
        np.testing.assert_array_equal(a[:, 7], b[:, 7], err_msg=f"input rows differ in frame {i}")
        np.testing.assert_array_equal(a[:, 5:7], b[:, 5:7], err_msg=f"score/class differ in frame {i}")
        np.testing.assert_allclose(a[:, :4], b[:, :4], atol=1e-2, err_msg=f"boxes differ in frame {i}")


SEQUENCES = [("TUD-Campus", s) for s in range(3)] + [("TUD-Stadtmitte", s) for s in range(3)]


@pytest.mark.parametrize("name,seed", SEQUENCES)
@pytest.mark.parametrize("params", [{}, {"track_buffer": 4}, {"fuse_score": False, "match_thresh": 0.9}],
                         ids=["defaults", "short-buffer", "nofuse"])
def test_bytetrack_ids_match_ultralytics(name, seed, params):
    frames = synthetic_sequence(name, seed, repeat=2)
    ref = run_ultralytics(frames, **params)
    assert_same_tracks(ref, run_vxfast(frames, **params))
    assert max(int(r[:, 4].max()) for r in ref if len(r)) > 20  # many tracks born, lost, re-found


def test_sequences_exercise_every_path(monkeypatch):
    """The synthetic sequences drive Ultralytics' tracker through each association path: second stage,
    lost -> re-found, lost -> removed, unconfirmed -> removed, duplicate pruning."""
    from ultralytics.trackers.utils import stracks

    from tracking_reference import UltralyticsResults, ultralytics_bytetrack

    counts = dict(second=0, refind=0, removed_lost=0, removed_unconfirmed=0, duplicates=0)
    dedup = stracks.remove_duplicate_stracks

    def counting_dedup(a, b, *args):
        ra, rb = dedup(a, b, *args)
        counts["duplicates"] += len(a) + len(b) - len(ra) - len(rb)
        return ra, rb

    monkeypatch.setattr(stracks, "remove_duplicate_stracks", counting_dedup)
    for name, seed in SEQUENCES:
        tr = ultralytics_bytetrack(track_buffer=4)
        for dets in synthetic_sequence(name, seed, repeat=2):
            lost_before = {t.track_id for t in tr.lost_stracks}
            unconf_before = {t.track_id for t in tr.tracked_stracks if not t.is_activated}
            out = np.asarray(tr.update(UltralyticsResults(dets))).reshape(-1, 8)
            counts["refind"] += len({int(i) for i in out[:, 4]} & lost_before)
            removed = {t.track_id for t in tr.removed_stracks_frame}
            counts["removed_lost"] += len(removed & lost_before)
            counts["removed_unconfirmed"] += len(removed & unconf_before)
            low = np.flatnonzero((dets[:, 4] > np.float32(0.1)) & (dets[:, 4] < np.float32(0.25)))
            counts["second"] += int(np.isin(out[:, 7], low).sum())
    assert all(v > 0 for v in counts.values()), counts


def test_duplicate_pruning_matches_ultralytics():
    """A track and a lost track that overlap with IoU > 0.85: the younger one is dropped."""
    box = np.array([[100, 100, 150, 220, 0.9, 0]], np.float32)
    other = np.array([[300, 100, 350, 220, 0.9, 0]], np.float32)
    frames = [np.vstack([box, other])] * 3 + [other] * 3
    # A new track appears where the lost one is predicted, is confirmed, and the lost one re-found twice.
    frames += [np.vstack([other, box + [1, 0, 1, 0, 0, 0]])] * 2 + [np.vstack([other, box, box])] * 3
    assert_same_tracks(run_ultralytics(frames), run_vxfast(frames))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 2**32 - 1),
       st.sampled_from([0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.5]),
       st.sampled_from(["dense", "quantized", "sparse", "sparse-tied"]))
def test_assignment_matches_lap(rows, cols, seed, limit, mode):
    """The solver behind each association stage returns lap.lapjv(extend_cost=True, cost_limit)'s matches,
    ties included: quantized costs make many, and sparse ones (mostly 1.0, as IoU costs of far boxes) take
    the padding-row shortcuts of the solver."""
    rng = np.random.default_rng(seed)
    cost = rng.random((rows, cols))
    if mode == "quantized":
        cost = np.round(cost * 4) / 4
    elif mode == "sparse":
        cost = np.where(rng.random((rows, cols)) < 0.9, 1.0, rng.uniform(0.05, 0.5, (rows, cols)))
    elif mode == "sparse-tied":
        cost = np.where(rng.random((rows, cols)) < 0.8, 1.0, np.round(rng.random((rows, cols)) * 3) / 3)
    got_x, got_y = core_track._lap_limited(cost, limit)
    assert_same_as_lap(cost, limit, got_x, got_y)


def assert_same_as_lap(cost, limit, got_x, got_y):
    import lap

    if cost.size == 0:
        assert (got_x == -1).all() and (got_y == -1).all()
        return
    _, x, y = lap.lapjv(cost, extend_cost=True, cost_limit=limit)
    np.testing.assert_array_equal(got_x, x)
    np.testing.assert_array_equal(got_y, y)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 2**32 - 1),
       st.sampled_from([0.3, 0.5, 0.7, 0.8, 0.9]),
       st.sampled_from(["sparse", "clustered", "quantized", "sparse-tied", "duplicates", "at-limit"]))
def test_sparse_assignment_matches_lap(rows, cols, seed, limit, mode):
    """ByteTrack's association solver (components of the pairs below the limit, each solved exactly and
    checked to have a unique optimum, else the dense solver) returns lap.lapjv(extend_cost=True,
    cost_limit)'s matches on sparse, clustered and tie-heavy matrices; without ties it stays sparse."""
    rng = np.random.default_rng(seed)
    cost = np.where(rng.random((rows, cols)) < 0.9, 1.0, rng.uniform(0.0, 1.0, (rows, cols)))
    if mode == "clustered":  # large components: blocks of overlapping pairs
        cost = np.ones((rows, cols))
        for b in range(0, max(rows, cols), 7):
            blk = cost[b:b + 7, b:b + 7]
            blk[...] = np.where(rng.random(blk.shape) < 0.6, rng.uniform(0.0, 1.0, blk.shape), 1.0)
    elif mode == "quantized":
        cost = np.round(rng.random((rows, cols)) * 4) / 4
    elif mode == "sparse-tied":
        cost = np.where(rng.random((rows, cols)) < 0.8, 1.0, np.round(rng.random((rows, cols)) * 3) / 3)
    elif mode == "duplicates" and rows and cols:  # identical tracks / boxes, as duplicated detections give
        cost[:, rng.integers(0, cols, cols)] = cost[:, rng.permutation(cols)]
        cost[rng.integers(0, rows, rows // 2)] = cost[rng.integers(0, rows, rows // 2)]
    elif mode == "at-limit":
        cost = np.where(rng.random((rows, cols)) < 0.2, limit, cost)
    got_x, got_y, sparse = core_track._lap_sparse(cost, limit)
    assert_same_as_lap(cost, limit, got_x, got_y)
    if mode in ("sparse", "clustered") and cost.size:
        assert sparse  # continuous costs: no ties, so no dense fallback


def test_two_trackers_in_one_process_are_independent():
    frames = synthetic_sequence("TUD-Campus", 7)
    a, b = vxfast.Tracker("bytetrack"), vxfast.Tracker("bytetrack")
    for f in frames:  # interleaved, as two streams in one process
        np.testing.assert_array_equal(a.update(f), b.update(f))
    ref = run_ultralytics(frames)
    out = run_vxfast(frames)
    assert_same_tracks(ref, out)


def test_two_trackers_in_threads_give_identical_ids():
    frames = synthetic_sequence("TUD-Stadtmitte", 3)
    results: dict[int, list] = {}

    def work(k):
        results[k] = run_vxfast(frames)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert_same_tracks(results[0], results[1])


def test_reset_restarts_ids():
    frames = synthetic_sequence("TUD-Campus", 1)[:20]
    t = vxfast.Tracker("bytetrack")
    first = [t.update(f) for f in frames]
    t.reset()
    assert t.frame_count == 0
    second = [t.update(f) for f in frames]
    assert_same_tracks(first, second)
    assert first[0][:, 4].min() == 1


def test_detections_input_equals_array_input():
    frames = synthetic_sequence("TUD-Campus", 2)[:30]
    a, b = vxfast.Tracker(), vxfast.Tracker()
    for f in frames:
        d = vxfast.Detections(f[:, :4], f[:, 4], f[:, 5].astype(np.int64))
        np.testing.assert_array_equal(a.update(d), b.update(f))


@pytest.mark.parametrize("bad,what", [
    (np.nan, "row 1"), (np.inf, "row 1"), ("inverted", "row 1"),
])
def test_bad_rows_raise_naming_the_row(bad, what):
    dets = np.array([[0, 0, 10, 10, 0.9, 0], [20, 20, 40, 40, 0.9, 0]], np.float32)
    if bad == "inverted":
        dets[1, 0] = 50
    else:
        dets[1, 2] = bad
    t = vxfast.Tracker()
    t.update(dets[:1])
    before = t.frame_count
    with pytest.raises(ValueError, match=what):
        t.update(dets)
    assert t.frame_count == before  # a rejected frame leaves the state untouched


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        vxfast.Tracker("sort")
    with pytest.raises(ValueError, match="frame_rate"):
        vxfast.Tracker(frame_rate=0)
    with pytest.raises(ValueError, match="track_high_thresh"):
        vxfast.Tracker(track_high_thresh=1.5)
    with pytest.raises(ValueError, match="unknown bytetrack parameter 'foo'"):
        vxfast.Tracker(foo=1)
    with pytest.raises(ValueError, match="track_buffer"):
        vxfast.Tracker(track_buffer=-1)
    with pytest.raises(ValueError, match="variant"):
        vxfast.Tracker(variant="v2")
    t = vxfast.Tracker()
    with pytest.raises(ValueError, match="shape"):
        t.update(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="t must be"):
        t.update(np.zeros((0, 6)), t=float("nan"))


def test_time_going_backwards_raises():
    t = vxfast.Tracker()
    t.update(np.zeros((0, 6)), t=1.0)
    t.update(np.zeros((0, 6)), t=1.0)  # same time is allowed
    with pytest.raises(ValueError, match="backwards"):
        t.update(np.zeros((0, 6)), t=0.5)


def test_empty_frames_and_thousands_of_boxes():
    t = vxfast.Tracker()
    assert t.update(np.zeros((0, 6), np.float32)).shape == (0, 8)
    assert t.update(np.array([])).shape == (0, 8)
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 4000, (3000, 2))
    dets = np.hstack([xy, xy + rng.uniform(5, 30, (3000, 2)), rng.uniform(0.3, 1, (3000, 1)), np.zeros((3000, 1))])
    for k in range(3):
        out = t.update(dets + [k, 0, k, 0, 0, 0])
    assert len(out) > 2500
    zero_width = np.array([[5, 5, 5, 20, 0.9, 0]], np.float32)  # ignored, as Ultralytics does
    assert len(vxfast.Tracker().update(zero_width)) == 0


def test_times_equal_to_frame_steps_match_frame_counting():
    frames = synthetic_sequence("TUD-Campus", 4, repeat=2)
    times = [(i + 7) / 25.0 for i in range(len(frames))]
    assert_same_tracks(run_vxfast(frames, frame_rate=25.0, track_buffer=4),
                       run_vxfast(frames, times, frame_rate=25.0, track_buffer=4))


def test_sampling_keeps_tracks_that_full_rate_keeps():
    """At fps:5 of a 30 fps stream a gap of 3 updates is 18 frames: within a 30-frame buffer when the
    tracker gets times, past it when every update counts as one frame of a 5-update buffer."""
    box = np.array([[100, 100, 150, 220, 0.9, 0]], np.float32)
    empty = np.zeros((0, 6), np.float32)
    seq = [box, box, box, empty, empty, empty, box]
    t = vxfast.Tracker(frame_rate=30, track_buffer=30)
    ids = [t.update(f, i / 5.0) for i, f in enumerate(seq)]
    assert ids[-1][0, 4] == ids[0][0, 4]
    # 3 s of gap (15 updates at 5 fps) is past the 1 s buffer: a new track.
    t = vxfast.Tracker(frame_rate=30, track_buffer=30)
    seq = [box] * 3 + [empty] * 15 + [box, box]
    out = [t.update(f, i / 5.0) for i, f in enumerate(seq)]
    assert out[-1][0, 4] != out[0][0, 4]


def test_original_variant_rules():
    t = vxfast.Tracker(variant="original", frame_rate=60)
    p = t.params
    assert p["high_thresh_inclusive"] is False and p["scale_buffer_by_frame_rate"] is True
    assert p["new_track_thresh"] == pytest.approx(0.6)
    # score == high threshold: first stage in Ultralytics' rule, dropped in the original's.
    at = np.array([[10, 10, 50, 90, 0.5, 0]], np.float32)
    ul = vxfast.Tracker(track_high_thresh=0.5, new_track_thresh=0.5)
    assert len(ul.update(at)) == 1
    assert len(vxfast.Tracker(variant="original", new_track_thresh=0.5).update(at)) == 0


def test_to_supervision_carries_tracker_id():
    pytest.importorskip("supervision")
    d = vxfast.Detections(np.array([[0, 0, 10, 10], [5, 5, 20, 20]], np.float32), np.array([0.9, 0.8]),
                          np.array([0, 1]))
    vxfast.Tracker().assign(d)
    assert d.tracker_id.tolist() == [1, 2]
    sv = d.to_supervision()
    assert sv.tracker_id.tolist() == [1, 2]
    assert d[1:].tracker_id.tolist() == [2]
