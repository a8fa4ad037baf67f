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


def _jsonl(path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_cli_detect_tracker_on_one_file_gives_tracks_ids(models_dir, make_video, tmp_path, capsys):
    from vxfast.cli import main

    clip = make_video("live_track_short.mp4", "-t", "1.2", "-c:v", "libx264", "-pix_fmt", "yuv420p")
    model = models_dir / "yolov8n.onnx"
    ref = {d.index: d.tracker_id.tolist() for d in vxfast.track(clip, model, "ocsort", conf=0.25, iou=0.45)}
    out = tmp_path / "t.jsonl"
    assert main(["detect", str(clip), "--model", str(model), "--tracker", "ocsort", "--conf", "0.25",
                 "--iou", "0.45", "--out", str(out), "--no-progress"]) == 0
    assert "tracks" in capsys.readouterr().out
    lines = _jsonl(out)
    assert {r["seq"]: r["ids"] for r in lines} == ref  # a file through Streams: every frame, track's IDs


@pytest.mark.slow
def test_cli_detect_several_urls_with_a_tracker(models_dir, make_video, tmp_path, capsys):
    import json

    from live_servers import FFmpegTcpServer, free_port
    from vxfast.cli import main

    clip = make_video("live_track_320.ts", "-t", "2", "-vf", "scale=320:240", "-c:v", "libx264", "-g", "25",
                      "-bf", "0", "-pix_fmt", "yuv420p", "-f", "mpegts")
    servers = [FFmpegTcpServer(clip, free_port(), loop=True) for _ in range(2)]
    try:
        out = tmp_path / "live.jsonl"
        assert main(["detect", *(s.url for s in servers), "--model", str(models_dir / "yolov8n.onnx"),
                     "--tracker", "bytetrack", "--seconds", "10", "--out", str(out), "--json", "--no-progress"]) == 0
    finally:
        for s in servers:
            s.kill()
    summary = json.loads(capsys.readouterr().out)
    lines = _jsonl(out)
    assert summary["tracker"] == "bytetrack" and len(summary["sources"]) == 2
    for s in summary["sources"]:
        mine = [r for r in lines if r["source"] == s["name"]]
        assert len(mine) >= 3, s  # "latest": a loaded machine infers few of the 25 fps, dropping the rest
        assert all(len(r["ids"]) == len(r["boxes"]) for r in mine)
        ids = [i for r in mine for i in r["ids"] if i >= 0]
        assert s["tracks"] == len(set(ids)) >= 1
        # people walk through vtest: some track is kept from frame to frame, not re-issued each time
        assert max(ids.count(i) for i in set(ids)) >= 2
