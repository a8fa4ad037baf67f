"""One tracker per source under vxfast.Streams: IDs per source, in that source's order, equal to
vxfast.track over the same file; the per-source clock never goes back across reconnects."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast
from vxfast.live_tracking import _SourceClock


def test_source_clock_follows_pts_then_adds_the_outage_across_a_reconnect():
    c = _SourceClock()
    assert [c.time(p, 1, 100.0 + p) for p in (5.0, 5.04, 5.08)] == pytest.approx([0.0, 0.04, 0.08])
    # Reconnected 2 s later (wall clock); the new connection's pts restart at 0.
    assert c.time(0.0, 2, 107.08) == pytest.approx(2.08)
    assert c.time(0.04, 2, 107.12) == pytest.approx(2.12)
    # pts jumping back within a connection never makes time go back.
    assert c.time(0.0, 2, 107.16) >= 2.12


def test_streams_tracker_needs_a_model():
    with pytest.raises(ValueError, match="tracker needs a model"):
        vxfast.Streams([b"not used"], tracker="bytetrack")


@pytest.mark.slow
def test_streams_track_each_source_as_track_does(models_dir, make_video):
    clip = make_video("live_track_short.mp4", "-t", "1.2", "-c:v", "libx264", "-pix_fmt", "yuv420p")
    model = vxfast.Model(models_dir / "yolov8n-dynamic.onnx", batch=2)
    ref = {d.index: d for d in vxfast.track(clip, model, batch=2)}
    assert any((d.tracker_id >= 0).any() for d in ref.values())
    got: dict[str, dict[int, np.ndarray]] = {}
    with vxfast.Streams([clip, clip.read_bytes()], model=model, batch=2, tracker="bytetrack") as st:
        for batch in st:
            for frame, dets in batch:
                assert dets.tracker_id is not None and len(dets.tracker_id) == len(dets)
                got.setdefault(frame.source, {})[frame.seq] = dets.tracker_id.copy()
    assert len(got) == 2
    a, b = got.values()
    assert a.keys() == b.keys() == ref.keys()
    for seq in ref:  # two trackers, the same input: the same IDs, and those of vxfast.track
        np.testing.assert_array_equal(a[seq], b[seq])
        np.testing.assert_array_equal(a[seq], ref[seq].tracker_id)
