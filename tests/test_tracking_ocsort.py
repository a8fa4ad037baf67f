"""vxfast.Tracker("ocsort"): identical IDs and boxes to tests/ocsort_reference.py (the OC-SORT algorithm of
noahcao/OC_SORT, numpy + lap) on seeded synthetic sequences from the MOT ground truth motmetrics ships, with
the re-update (ORU), recovery (OCR) and BYTE paths running; lap-identical assignment; input checks; ageing."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from ocsort_reference import run_ocsort_reference
from tracking_reference import synthetic_sequence
from vxfast._core import track as core_track

SEQUENCES = [("TUD-Campus", s) for s in range(3)] + [("TUD-Stadtmitte", s) for s in range(3)]
PARAMS = [{}, {"use_byte": True, "det_thresh": 0.3}, {"det_thresh": 0.3, "max_age": 5, "min_hits": 1}]
PARAM_IDS = ["defaults", "byte", "short-age"]


def run_vxfast(frames, times=None, **params):
    t = vxfast.Tracker("ocsort", **params)
    return [t.update(f, None if times is None else times[i]) for i, f in enumerate(frames)], t


def assert_same_tracks(ref, got):
    assert len(ref) == len(got)
    for i, (a, b) in enumerate(zip(ref, got)):
        assert a.shape == b.shape, f"frame {i}: {a.shape} vs {b.shape}"
        np.testing.assert_array_equal(a[:, 4], b[:, 4], err_msg=f"track IDs differ in frame {i}")
        np.testing.assert_array_equal(a[:, 7], b[:, 7], err_msg=f"input rows differ in frame {i}")
        np.testing.assert_array_equal(a[:, 5:7].astype(np.float32), b[:, 5:7], err_msg=f"score/class, frame {i}")
        np.testing.assert_allclose(a[:, :4], b[:, :4], atol=1e-4, rtol=0, err_msg=f"boxes differ in frame {i}")


@pytest.mark.parametrize("name,seed", SEQUENCES)
@pytest.mark.parametrize("params", PARAMS, ids=PARAM_IDS)
def test_ocsort_matches_reference(name, seed, params):
    frames = synthetic_sequence(name, seed, repeat=2)
    ref, r = run_ocsort_reference(frames, **params)
    got, t = run_vxfast(frames, **params)
    assert_same_tracks(ref, got)
    assert t._core.stats == {"oru": r.oru, "ocr": r.ocr, "byte": r.byte}  # same paths, as often
    assert t.ids_issued == r.next_id > 15
    assert r.oru > 0
    if params.get("use_byte"):
        assert r.byte > 0


def test_sequences_exercise_recovery():
    """OCR (last observation vs unmatched detections) runs on these sequences, and re-updates (ORU) too."""
    ocr = oru = 0
    for name, seed in SEQUENCES[:3] + SEQUENCES[3:4]:
        _, t = run_vxfast(synthetic_sequence(name, seed, repeat=2))
        ocr += t._core.stats["ocr"]
        oru += t._core.stats["oru"]
    assert ocr > 0 and oru > 0


def test_reupdate_changes_the_state():
    """ORU: after a gap the filter restarts from the last observation over interpolated boxes, so the
    predicted box for the next frame follows the motion over the gap (not the stale velocity)."""
    box = np.array([100, 100, 150, 220, 0.9, 0], np.float32)
    frames = [(box + [5 * i, 0, 5 * i, 0, 0, 0])[None] for i in range(6)]
    frames += [np.zeros((0, 6), np.float32)] * 4 + [(box + [5 * i, 0, 5 * i, 0, 0, 0])[None] for i in range(10, 14)]
    ref, r = run_ocsort_reference(frames, min_hits=1)
    got, t = run_vxfast(frames, min_hits=1)
    assert_same_tracks(ref, got)
    assert r.oru == 1 and t._core.stats["oru"] == 1
    assert {int(o[0, 4]) for o in got if len(o)} == {1}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 2**32 - 1),
       st.sampled_from(["dense", "quantized", "zeros"]))
def test_dense_assignment_matches_lap(rows, cols, seed, mode):
    """OC-SORT's solver returns lap.lapjv(cost, extend_cost=True)'s matches (zero padding), ties included."""
    import lap

    rng = np.random.default_rng(seed)
    cost = -rng.random((rows, cols))
    if mode == "quantized":
        cost = np.round(cost * 4) / 4
    elif mode == "zeros":  # as IoU + momentum of far boxes and tracks without observations
        cost = np.where(rng.random((rows, cols)) < 0.7, 0.0, cost)
    got = core_track._lapjv_dense(cost)
    if cost.size == 0:
        assert (got == -1).all() and len(got) == rows
        return
    _, x, _ = lap.lapjv(cost, extend_cost=True)
    np.testing.assert_array_equal(got, x)


def test_reset_restarts_ids_and_trackers_are_independent():
    frames = synthetic_sequence("TUD-Campus", 4)
    a, b = vxfast.Tracker("ocsort"), vxfast.Tracker("ocsort")
    first = [a.update(f) for f in frames]
    for f in frames[:10]:
        b.update(f)
    b.reset()
    assert b.ids_issued == 0 and b.frame_count == 0 and b._core.stats["oru"] == 0
    again = [b.update(f) for f in frames]
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert min(int(o[:, 4].min()) for o in first if len(o)) == 1


@pytest.mark.parametrize("bad", [np.nan, np.inf, "inverted"])
def test_bad_rows_raise_naming_the_row(bad):
    dets = np.array([[0, 0, 10, 10, 0.9, 0], [20, 20, 40, 40, 0.9, 0]], np.float32)
    if bad == "inverted":
        dets[1, 0] = 50
    else:
        dets[1, 2] = bad
    t = vxfast.Tracker("ocsort")
    t.update(dets[:1])
    with pytest.raises(ValueError, match="row 1"):
        t.update(dets)
    assert t.frame_count == 1


@pytest.mark.parametrize("params,what", [
    ({"det_thresh": 1.5}, "det_thresh"), ({"iou_threshold": -0.1}, "iou_threshold"), ({"max_age": -1}, "max_age"),
    ({"min_hits": 2.5}, "min_hits"), ({"delta_t": 0}, "delta_t"), ({"inertia": float("nan")}, "inertia"),
    ({"use_byte": 1}, "use_byte"), ({"track_buffer": 30}, "unknown ocsort parameter 'track_buffer'"),
])
def test_bad_parameters(params, what):
    with pytest.raises(ValueError, match=what):
        vxfast.Tracker("ocsort", **params)


def test_params_and_empty_and_many_boxes():
    t = vxfast.Tracker("ocsort", frame_rate=25)
    assert t.params["det_thresh"] == pytest.approx(0.6) and t.params["use_byte"] is False
    assert t.update(np.zeros((0, 6), np.float32)).shape == (0, 8)
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 4000, (3000, 2)).astype(np.float32)
    dets = np.concatenate([xy, xy + 20, np.full((3000, 1), 0.9, np.float32), np.zeros((3000, 1), np.float32)], 1)
    for k in range(4):  # confirmed at hit_streak == min_hits (3) after the first frame
        out = t.update(dets + np.float32(k))
    assert out.shape == (3000, 8) and len(np.unique(out[:, 4])) == 3000
    with pytest.raises(ValueError, match="backwards"):
        t.update(dets, t=1.0)
        t.update(dets, t=0.5)


def test_times_age_tracks_by_elapsed_time():
    """max_age counts frames at frame_rate: at 5 updates/s of a 30 fps stream a 3-update gap is 18 frames
    (kept with max_age 30); without times each update is one frame (kept too); 15 updates = 3 s is not."""
    box = np.array([[100, 100, 150, 220, 0.9, 0]], np.float32)
    empty = np.zeros((0, 6), np.float32)
    seq = [box] * 4 + [empty] * 3 + [box]
    out, _ = run_vxfast(seq, [i / 5.0 for i in range(len(seq))], frame_rate=30, min_hits=1)
    assert out[-1][0, 4] == out[0][0, 4]
    seq = [box] * 4 + [empty] * 15 + [box]
    out, _ = run_vxfast(seq, [i / 5.0 for i in range(len(seq))], frame_rate=30, min_hits=0)
    assert out[-1][0, 4] != out[0][0, 4]  # min_hits 0 shows a track from its first frame
    frames_only, _ = run_vxfast(seq, min_hits=0)  # 16 frames < 30: the same track
    assert frames_only[-1][0, 4] == frames_only[0][0, 4]
