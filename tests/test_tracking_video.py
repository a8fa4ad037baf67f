"""Tracking real vxfast detections of vtest.avi: identical IDs to Ultralytics' BYTETracker, and
vxfast.track() IDs independent of batch size and stream count."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast
from tracking_reference import run_ultralytics

pytestmark = pytest.mark.slow
END = 2.0  # seconds of vtest.avi (50 frames at 25 fps): tracks come, go and come back


def rows(d: vxfast.Detections) -> np.ndarray:
    return np.hstack([d.xyxy, d.scores[:, None], d.class_ids[:, None].astype(np.float32)]).astype(np.float32)


@pytest.fixture(scope="module")
def tracked(vtest_avi, models_dir):
    """vxfast.track() at batch 1, one stream, conf 0.1 so low-score boxes reach the second stage."""
    model = vxfast.Model(models_dir / "yolov8n.onnx", batch=1, streams=1)
    return list(vxfast.track(vtest_avi, model, batch=1, end=END, conf=0.1))


def test_real_detections_ids_match_ultralytics(tracked):
    frames = [rows(d) for d in tracked]
    assert len(frames) == 50 and sum(len(f) for f in frames) > 500
    ref = run_ultralytics(frames)
    t = vxfast.Tracker("bytetrack", frame_rate=25)
    for i, f in enumerate(frames):
        got = t.update(f)
        np.testing.assert_array_equal(ref[i][:, 4], got[:, 4], err_msg=f"frame {i}")
        np.testing.assert_array_equal(ref[i][:, 7], got[:, 7], err_msg=f"frame {i}")
        np.testing.assert_allclose(ref[i][:, :4], got[:, :4], atol=1e-2)


def test_track_sets_tracker_id_like_the_reference(tracked):
    ref = run_ultralytics([rows(d) for d in tracked])
    for d, r in zip(tracked, ref):
        expect = np.full(len(d), -1)
        expect[r[:, 7].astype(int)] = r[:, 4].astype(int)
        np.testing.assert_array_equal(d.tracker_id, expect)
    assert len({int(i) for d in tracked for i in d.tracker_id if i >= 0}) > 10


def test_track_ids_do_not_depend_on_batch_or_streams(tracked, vtest_avi, models_dir):
    m8 = vxfast.Model(models_dir / "yolov8n.onnx", batch=8, streams=1)
    batch8 = list(vxfast.track(vtest_avi, m8, batch=8, end=END, conf=0.1))
    streams2 = list(vxfast.track(vtest_avi, models_dir / "yolov8n.onnx", batch=1, streams=2, end=END, conf=0.1))
    for other in (batch8, streams2):
        assert [d.index for d in other] == [d.index for d in tracked]
        for a, b in zip(tracked, other):
            np.testing.assert_array_equal(a.tracker_id, b.tracker_id)


def test_track_bad_arguments(vtest_avi, models_dir):
    with pytest.raises(ValueError, match="tracker"):
        vxfast.track(vtest_avi, models_dir / "yolov8n.onnx", tracker="deepsort")
    with pytest.raises(ValueError, match="conf"):
        vxfast.track(vtest_avi, models_dir / "yolov8n.onnx", conf=1.5)


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_track_cli_writes_tracks(vtest_avi, models_dir, tmp_path, capsys, suffix):
    import json

    from vxfast.cli import main

    out = tmp_path / f"tracks{suffix}"
    assert main(["track", str(vtest_avi), "--model", str(models_dir / "yolov8n.onnx"), "--end", "1.0",
                 "--out", str(out), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["frames"] == 25 and summary["tracks"] > 5 and summary["mean_track_length"] > 5
    lines = out.read_text().splitlines()
    if suffix == ".txt":
        rows = np.array([[float(v) for v in line.split(",")] for line in lines])
        assert rows.shape[1] == 10 and rows[:, 0].min() == 1 and (rows[:, 7:] == -1).all()
        assert len(np.unique(rows[:, 1])) == summary["tracks"]
    else:
        assert len(lines) == 25 and "ids" in json.loads(lines[0])


@pytest.mark.parametrize("params", [{}, {"use_byte": True, "det_thresh": 0.4}], ids=["defaults", "byte"])
def test_real_detections_ocsort_matches_reference(tracked, params):
    from ocsort_reference import run_ocsort_reference

    frames = [rows(d) for d in tracked]
    ref, r = run_ocsort_reference(frames, **params)
    t = vxfast.Tracker("ocsort", frame_rate=25, **params)
    for i, f in enumerate(frames):
        got = t.update(f)
        assert ref[i].shape == got.shape, f"frame {i}"
        np.testing.assert_array_equal(ref[i][:, 4], got[:, 4], err_msg=f"frame {i}")
        np.testing.assert_array_equal(ref[i][:, 7], got[:, 7], err_msg=f"frame {i}")
        np.testing.assert_allclose(ref[i][:, :4], got[:, :4], atol=1e-4, rtol=0)
    assert r.next_id > 5 and t._core.stats == {"oru": r.oru, "ocr": r.ocr, "byte": r.byte}


def test_track_ocsort_and_cli(tracked, vtest_avi, models_dir, tmp_path, capsys):
    import json

    from vxfast.cli import main

    model = vxfast.Model(models_dir / "yolov8n.onnx", batch=1, streams=1)
    got = list(vxfast.track(vtest_avi, model, tracker="ocsort", batch=1, end=END, conf=0.1))
    t = vxfast.Tracker("ocsort", frame_rate=25)
    for d, ref in zip(got, tracked):
        out = t.update(rows(ref), ref.pts)
        expect = np.full(len(ref), -1, np.int64)
        expect[out[:, 7].astype(int)] = out[:, 4].astype(int)
        np.testing.assert_array_equal(d.tracker_id, expect)
    out_file = tmp_path / "tracks.txt"
    assert main(["track", str(vtest_avi), "--model", str(models_dir / "yolov8n.onnx"), "--tracker", "ocsort",
                 "--end", "1.0", "--out", str(out_file), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["tracker"] == "ocsort" and summary["frames"] == 25 and summary["tracks"] > 3
