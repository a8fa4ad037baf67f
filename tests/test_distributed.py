"""vxfast.distributed: planning, the Parquet layout, resume, failures; in-process and on a local Ray.

The model is a tiny YOLO-shaped ONNX graph (64x64 input, 3 classes, 64 anchors whose boxes and
scores follow the pooled pixels), so that the whole chain (decode, letterbox, onnxruntime, C++
decode + NMS) runs for real in milliseconds a frame. The reference is vxfast.detect over each
whole file.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import vxfast

from conftest import ffmpeg

pa = pytest.importorskip("pyarrow")
vd = pytest.importorskip("vxfast.distributed")

SEG = 0.75  # seconds: boundaries fall between frames and away from keyframes
SEG_SHORT = 0.2  # many segments, so that a job is still running when the tests kill something


def tiny_yolo(path: Path) -> Path:
    from onnx import TensorProto, helper, numpy_helper

    j = np.arange(64)
    grid = np.stack([(j % 8) * 8 + 4, (j // 8) * 8 + 4]).astype(np.float32)[None]  # (1, 2, 64)
    inits = [numpy_helper.from_array(grid, "grid"), numpy_helper.from_array(np.array([0, 3, 64], np.int64), "shape"),
             numpy_helper.from_array(np.array([24.0], np.float32), "scale"),
             numpy_helper.from_array(np.array([6.0], np.float32), "base"),
             numpy_helper.from_array(np.array([0.0], np.float32), "zero")]
    nodes = [
        helper.make_node("AveragePool", ["images"], ["pool"], kernel_shape=[8, 8], strides=[8, 8]),
        helper.make_node("Reshape", ["pool", "shape"], ["p"]),                    # (N, 3, 64)
        helper.make_node("Split", ["p"], ["p0", "p1", "p2"], axis=1, num_outputs=3),
        helper.make_node("Mul", ["p0", "zero"], ["z"]),
        helper.make_node("Concat", ["z", "z"], ["z2"], axis=1),
        helper.make_node("Add", ["z2", "grid"], ["xy"]),                          # (N, 2, 64)
        helper.make_node("Concat", ["p1", "p2"], ["q"], axis=1),
        helper.make_node("Mul", ["q", "scale"], ["q1"]),
        helper.make_node("Add", ["q1", "base"], ["wh"]),
        helper.make_node("Concat", ["xy", "wh", "p"], ["output0"], axis=1),      # (N, 7, 64)
    ]
    g = helper.make_graph(nodes, "tiny_yolo",
                          [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 64, 64])],
                          [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 7, 64])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)])
    m.ir_version = 8
    for k, v in {"task": "detect", "names": "{0: 'red', 1: 'green', 2: 'blue'}", "imgsz": "[64, 64]",
                 "stride": "8"}.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    import onnx

    onnx.save(m, str(path))
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return tiny_yolo(tmp_path_factory.mktemp("model") / "tiny_yolo.onnx")


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> Path:
    """Short, small videos with different GOPs: 5 frames, 40 frames (longer than a segment and
    than the video), B-frames, and a rate whose frames never fall on a segment boundary."""
    d = tmp_path_factory.mktemp("dist_videos")
    src = ["-f", "lavfi", "-i"]
    ffmpeg(*src, "testsrc2=size=96x64:rate=10:duration=2.6", "-c:v", "libx264", "-g", "5", "-bf", "0",
           "-pix_fmt", "yuv420p", str(d / "a_gop5.mp4"))
    ffmpeg(*src, "testsrc2=size=96x64:rate=10:duration=2.2", "-c:v", "libx264", "-g", "40", "-bf", "2",
           "-pix_fmt", "yuv420p", str(d / "b_gop40_bframes.mp4"))
    ffmpeg(*src, "testsrc=size=80x48:rate=7:duration=2", "-c:v", "mpeg4", "-g", "12", "-q:v", "5",
           str(d / "c_7fps.avi"))
    return d


@pytest.fixture(scope="module")
def bad_videos(videos, tmp_path_factory) -> Path:
    """The good videos plus a corrupt one (random bytes) and an empty one."""
    d = tmp_path_factory.mktemp("dist_bad")
    for p in sorted(videos.iterdir()):
        os.symlink(p, d / p.name)
    (d / "x_corrupt.mp4").write_bytes(np.random.default_rng(1).integers(0, 256, 4096, np.uint8).tobytes())
    (d / "y_empty.mp4").write_bytes(b"")
    return d


def reference(videos: list[Path], model: Path) -> dict[tuple[str, int], tuple[float, np.ndarray]]:
    """vxfast.detect over whole files: {(video_id, frame): (pts, rows [class, score, x1..y2])}."""
    out = {}
    for v in videos:
        vid = vd.fingerprint(v)
        for d in vxfast.detect(v, model, conf=0.25, iou=0.45):
            rows = np.c_[d.class_ids, d.scores, d.xyxy] if len(d) else np.zeros((0, 6))
            out[(vid, int(d.index))] = (float(d.pts), rows)
    return out


def assert_matches(out: Path, ref: dict) -> None:
    frames = vd.read_table(out, "frames").to_pandas()
    keys = list(zip(frames.video_id, frames.frame.astype(int)))
    assert len(keys) == len(set(keys)), "a frame appears in two segments"
    assert set(keys) == set(ref), "frames lost or invented"
    for vid, f, pts in zip(frames.video_id, frames.frame, frames.pts):
        assert pts == pytest.approx(ref[(vid, int(f))][0], abs=1e-9)
    dets = vd.read_table(out, "detections").to_pandas()
    assert len(dets) == sum(len(r) for _, r in ref.values())
    for (vid, f), g in dets.groupby(["video_id", "frame"]):
        got = g[["class_id", "score", "x1", "y1", "x2", "y2"]].to_numpy(np.float64)
        exp = ref[(vid, int(f))][1]
        order_g, order_e = np.lexsort(got.T[::-1]), np.lexsort(exp.T[::-1])
        np.testing.assert_allclose(got[order_g], exp[order_e], atol=1e-3)


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# -- planning ----------------------------------------------------------------------------------------
def test_plan_segments_partition_every_frame(videos):
    rows = vd.plan(str(videos / "*"), segment_seconds=SEG)
    assert [r.path for r in rows] == sorted(r.path for r in rows)
    by_video: dict[str, list] = {}
    for r in rows:
        by_video.setdefault(r.path, []).append(r)
    for path, segs in by_video.items():
        assert [s.segment for s in segs] == list(range(len(segs))) and len(segs) >= 3
        assert segs[-1].end is None and all(a.end == b.start for a, b in zip(segs, segs[1:]))
        with vxfast.VideoReader(path) as r:
            full = {(f.index, f.pts) for f in r.frames(format="gray")}
            kf = set(r.keyframe_indices.tolist())
            seen: list = []
            firsts = []
            for s in segs:
                start, end = vd.segment_range(s.to_dict())
                got = [(f.index, f.pts) for f in r.frames(start=start, end=end, format="gray")]
                firsts += [got[0][0]] if got and s.segment > 0 else []
                seen += got
        assert len(seen) == len(set(seen)) and set(seen) == full
        # segments that start inside a GOP exist (the test would be vacuous otherwise)
        assert any(i not in kf for i in firsts)
    assert len({r.video_id for r in rows}) == 3


def test_plan_arguments_and_fingerprint(videos, tmp_path):
    with pytest.raises(ValueError, match="segment_seconds"):
        vd.plan(str(videos), segment_seconds=0)
    with pytest.raises(ValueError, match="paths_or_glob"):
        vd.plan(str(tmp_path / "*.mp4"))
    a = videos / "a_gop5.mp4"
    copy = tmp_path / "renamed.mp4"
    copy.write_bytes(a.read_bytes())
    assert vd.fingerprint(copy) == vd.fingerprint(a) != vd.fingerprint(videos / "c_7fps.avi")
    rows = vd.plan([a, copy], segment_seconds=SEG)  # the same bytes twice: planned once
    assert {r.path for r in rows} == {str(a)}


# -- single machine ----------------------------------------------------------------------------------
def test_local_detect_equals_vxfast_detect_and_resumes(videos, model, tmp_path):
    out = tmp_path / "out"
    s = vd.detect(str(videos / "*"), model, out, segment_seconds=SEG, ray=False)
    ref = reference(sorted(videos.iterdir()), model)
    assert (s.videos, s.errors, s.skipped, s.frames) == (3, 0, 0, len(ref))
    assert s.segments == s.done == len(list((out / "detections").glob("*.parquet")))
    assert_matches(out, ref)
    manifest = (out / "manifest.json").read_text()
    assert vd.model_fingerprint(model) in manifest and '"segment_seconds": 0.75' in manifest
    before = files(out)
    # resume: nothing to do, nothing rewritten
    s2 = vd.detect(str(videos / "*"), model, out, segment_seconds=SEG, ray=False)
    assert (s2.skipped, s2.done, s2.frames) == (s.segments, 0, 0) and files(out) == before
    # a lost segment file is redone, and only it
    victim = sorted((out / "detections").glob("*.parquet"))[3]
    victim.unlink()
    s3 = vd.detect(str(videos / "*"), model, out, segment_seconds=SEG, ray=False)
    assert s3.done == 1 and files(out) == before
    # other parameters on the same out: refused, then replaced with resume=False
    with pytest.raises(ValueError, match="conf"):
        vd.detect(str(videos / "*"), model, out, segment_seconds=SEG, conf=0.5, ray=False)
    s4 = vd.detect(str(videos / "a_gop5.mp4"), model, out, segment_seconds=SEG, conf=0.5, ray=False, resume=False)
    assert s4.videos == 1 and len(list((out / "detections").glob("*.parquet"))) == s4.segments


def test_corrupt_and_empty_videos_go_to_errors(bad_videos, videos, model, tmp_path):
    out = tmp_path / "out"
    s = vd.detect(str(bad_videos), model, out, segment_seconds=SEG, ray=False)
    assert s.videos == 5 and s.errors == 2
    assert sorted(Path(p).name for p in s.error_videos) == ["x_corrupt.mp4", "y_empty.mp4"]
    errors = vd.read_table(out, "errors").to_pylist()
    assert sorted(Path(e["path"]).name for e in errors) == ["x_corrupt.mp4", "y_empty.mp4"]
    assert all(e["reason"] and e["table"] == "detections" for e in errors)
    assert_matches(out, reference(sorted(videos.iterdir()), model))


def test_arguments_are_checked(videos, model, tmp_path):
    for kw, name in (({"sample": "uniform:3"}, "sample"), ({"conf": 2.0}, "conf"),
                     ({"concurrency": 0}, "concurrency")):
        with pytest.raises(ValueError, match=name):
            vd.detect(str(videos), model, tmp_path / "o", ray=False, **kw)


def test_import_is_lazy():
    code = ("import sys, vxfast, vxfast.distributed; "
            "print(any(m in sys.modules for m in ('ray', 'pyarrow')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert r.stdout.strip() == "False"


# -- Ray ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def ray_local():
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(sys.path)}})
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_equals_local_with_a_worker_killed(ray_local, bad_videos, videos, model, tmp_path):
    local, dist = tmp_path / "local", tmp_path / "ray"
    vd.detect(str(bad_videos), model, local, segment_seconds=SEG, ray=False)
    marker = tmp_path / "kill-one-worker"
    marker.touch()
    s = vd.detect(str(bad_videos), model, dist, segment_seconds=SEG, ray=True, concurrency=2,
                  _fault_marker=str(marker))
    assert not marker.exists(), "the fault was never injected"
    assert s.ray and s.errors == 2 and s.done + s.errors == s.segments
    assert files(dist) == files(local)  # same files, same bytes: nothing lost, nothing twice
    assert_matches(dist, reference(sorted(videos.iterdir()), model))


@pytest.mark.slow
def test_driver_killed_then_resumed(ray_local, videos, model, tmp_path):
    clean, out = tmp_path / "clean", tmp_path / "out"
    vd.detect(str(videos), model, clean, segment_seconds=SEG_SHORT, ray=False)
    address = ray_local.get_runtime_context().gcs_address
    script = textwrap.dedent(f"""
        import vxfast.distributed as vd
        vd.detect({str(videos)!r}, {str(model)!r}, {str(out)!r}, segment_seconds={SEG_SHORT}, address={address!r})
    """)
    p = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and p.poll() is None:
        if len(list((out / "detections").glob("*.parquet"))) >= 2:
            break
        time.sleep(0.005)
    assert p.poll() is None, "the driver finished before it could be killed"
    p.kill()
    p.wait()
    assert len(list((out / "detections").glob("*.parquet"))) < len(list((clean / "detections").glob("*.parquet")))
    vd.detect(str(videos), model, out, segment_seconds=SEG_SHORT, ray=True)
    assert files(out) == files(clean)


# -- CLI ---------------------------------------------------------------------------------------------
def test_cli_glob_writes_parquet_and_single_video_keeps_jsonl(videos, model, tmp_path, capsys):
    import json

    from vxfast.cli import main

    out = tmp_path / "out"
    assert main(["detect", str(videos / "*"), "--model", str(model), "--out", str(out), "--segment-seconds",
                 str(SEG), "--json", "--no-progress"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["videos"], s["errors"], s["ray"]) == (3, 0, False) and s["frames"] > 0
    assert s["rows"] == len(vd.read_table(out, "detections"))
    assert main(["detect", str(videos / "*"), "--model", str(model), "--out", str(out), "--segment-seconds",
                 str(SEG), "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == s["segments"]
    assert main(["detect", str(videos / "*"), "--model", str(model), "--out", str(out), "--segment-seconds",
                 str(SEG), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert f"(0 run, {s['segments']} already done, 0 failed): 0 frames, 0 detections in" in text
    assert f"written to {out}/detections, {out}/frames, {out}/manifest.json" in text
    assert main(["detect", str(videos / "*"), "--model", str(model), "--out", str(tmp_path / "x.jsonl")]) == 1
    assert "--out DIR" in capsys.readouterr().err
    jsonl = tmp_path / "one.jsonl"
    assert main(["detect", str(videos / "a_gop5.mp4"), "--model", str(model), "--out", str(jsonl),
                 "--no-progress"]) == 0
    assert len(jsonl.read_text().splitlines()) == 26


TWO_NODES = """
import os, sys, threading, time
import ray
from ray.cluster_utils import Cluster
import vxfast.distributed as vd
videos, model, out, seg = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
worker = c.add_node(num_cpus=1)
ray.init(address=c.address, log_to_driver=False, configure_logging=False)
ray.data.DataContext.get_current().enable_progress_bars = False
res = {}
job = threading.Thread(target=lambda: res.update(s=vd.detect(videos, model, out, segment_seconds=seg, concurrency=2)))
job.start()
det = os.path.join(out, "detections")
while job.is_alive() and len(os.listdir(det) if os.path.isdir(det) else []) < 2:
    time.sleep(0.005)
removed_mid_run = job.is_alive()
c.remove_node(worker)
job.join(240)
print("RESULT", removed_mid_run, not job.is_alive() and res["s"].errors == 0, flush=True)
ray.shutdown()
c.shutdown()
"""


@pytest.mark.slow
def test_two_node_cluster_loses_a_node(videos, model, tmp_path):
    """Two simulated nodes (ray.cluster_utils.Cluster, 1 CPU each), the worker node removed once
    two segments are committed: the job completes and matches a clean run file for file. Runs in a
    subprocess: a Cluster needs a driver of its own, apart from the session's local Ray."""
    pytest.importorskip("ray")
    clean, out = tmp_path / "clean", tmp_path / "out"
    vd.detect(str(videos), model, clean, segment_seconds=SEG_SHORT, ray=False)
    r = subprocess.run([sys.executable, "-c", TWO_NODES, str(videos), str(model), str(out), str(SEG_SHORT)],
                       capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    line = [x for x in r.stdout.splitlines() if x.startswith("RESULT")]
    assert line, r.stdout[-2000:] + r.stderr[-4000:]
    assert line[0] == "RESULT True True"
    assert files(out) == files(clean)


# -- quality and embeddings --------------------------------------------------------------------------
def test_quality_and_embed_tables_equal_whole_file_runs(videos, model, tmp_path):
    from vxfast import features

    out = tmp_path / "out"
    sq = vd.quality(str(videos), out, segment_seconds=SEG, sample="all", ray=False)
    se = vd.embed(str(videos), model, out, segment_seconds=SEG, sample="all", ray=False)
    assert sq.errors == se.errors == 0 and sq.segments == se.segments > 3
    q = vd.read_table(out, "quality").to_pandas()
    e = vd.read_table(out, "embeddings").to_pandas()
    assert sq.rows == len(q) and se.rows == len(e)
    for v in sorted(videos.iterdir()):
        vid = vd.fingerprint(v)
        ref = features.quality(v, sample="all")
        got = q[q.video_id == vid]
        assert got.frame.tolist() == ref.index.tolist()  # every frame once, in order
        np.testing.assert_array_equal(got[list(ref.names)].to_numpy(), ref.values)
        emb = vxfast.embed(v, model, sample="all")
        got_e = e[e.video_id == vid]
        assert got_e.frame.tolist() == emb.index.tolist()
        np.testing.assert_allclose(np.stack(got_e.embedding.to_numpy()), emb.vectors, atol=1e-5)
    manifest = (out / "manifest.json").read_text()
    assert '"quality"' in manifest and '"embeddings"' in manifest


# -- tracking ----------------------------------------------------------------------------------------
def track_rows(out: Path) -> dict[tuple[str, int], np.ndarray]:
    """{(video_id, frame): rows [track_id, class, score, x1..y2] sorted} of OUT/tracks."""
    t = vd.read_table(out, "tracks").to_pandas()
    got = {}
    for (vid, f), g in t.groupby(["video_id", "frame"]):
        a = g[["track_id", "class_id", "score", "x1", "y1", "x2", "y2"]].to_numpy(np.float64)
        got[(vid, int(f))] = a[np.lexsort(a.T[::-1])]
    return got


def track_reference(video: Path, model: Path, **kw) -> dict[tuple[str, int], np.ndarray]:
    vid, ref = vd.fingerprint(video), {}
    for d in vxfast.track(video, model, conf=0.25, iou=0.45, **kw):
        if len(d):
            a = np.c_[d.tracker_id, d.class_ids, d.scores, d.xyxy].astype(np.float64)
            ref[(vid, int(d.index))] = a[np.lexsort(a.T[::-1])]
    return ref


def assert_same_tracks(got: dict, ref: dict) -> None:
    assert set(got) == set(ref)
    for k in ref:
        np.testing.assert_allclose(got[k], ref[k], atol=1e-3, err_msg=str(k))


def test_track_whole_videos_equal_vxfast_track(videos, model, tmp_path):
    out = tmp_path / "out"
    s = vd.track(str(videos), model, out, ray=False)
    assert s.errors == 0 and s.segments == 3 and s.rows == len(vd.read_table(out, "tracks"))
    ref: dict = {}
    for v in sorted(videos.iterdir()):
        ref.update(track_reference(v, model))
    got = track_rows(out)
    assert_same_tracks(got, ref)
    assert any((a[:, 0] > 0).any() for a in ref.values())  # confirmed tracks exist: IDs were compared
    assert '"tracker": "bytetrack"' in (out / "manifest.json").read_text()
    assert vd.track(str(videos), model, out, ray=False).skipped == 3
    with pytest.raises(ValueError, match="track_buffer"):
        vd.track(str(videos), model, out, ray=False, tracker_params={"track_buffer": -1})


def test_track_segments_keep_rows_and_document_ids(videos, model, tmp_path):
    """Segmented: the rows are the whole-file run's, frame for frame. IDs: a warm-up reaching the
    video's start gives the whole-file IDs; no warm-up gives a tracker started at the segment."""
    v = videos / "b_gop40_bframes.mp4"
    far, none = tmp_path / "far", tmp_path / "none"
    s = vd.track(str(v), model, far, segment_seconds=SEG, warmup_seconds=100, ray=False)
    assert s.segments == 3 and s.errors == 0
    assert_same_tracks(track_rows(far), track_reference(v, model))
    vd.track(str(v), model, none, segment_seconds=SEG, warmup_seconds=0, ray=False)
    got = track_rows(none)
    expected: dict = {}
    for seg in vd.plan(str(v), SEG):
        start, end = vd.segment_range(seg.to_dict())
        expected.update(track_reference(v, model, start=start, end=end))
    assert_same_tracks(got, expected)
    segs = vd.read_table(none, "tracks").to_pandas().groupby("frame").segment.nunique()
    assert (segs == 1).all()


# -- audio -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def speech_videos(tmp_path_factory) -> Path:
    """Two small H.264 videos of espeak-ng speech (pauses between utterances): speech0.mov with PCM
    audio (a seek decodes the same samples as a whole-file read) and speech1.mp4 with AAC, whose
    decoder fills noise bands from a generator (PNS): after a seek its noise differs (~1e-2)."""
    import shutil

    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox make the speech fixtures")
    from speech_media import conversation, mux_into_video, write_wav

    d = tmp_path_factory.mktemp("dist_speech")
    vids = d / "videos"
    vids.mkdir()
    for k, turns in enumerate(([("A", 0), ("B", 1)], [("C", 2), ("A", 3), ("B", 4)])):
        x, _ = conversation(d, turns, [0.9] * (len(turns) - 1), lead=0.7, tail=0.8, seed=k)
        wav = write_wav(d / f"s{k}.wav", x)
        if k == 0:
            ffmpeg("-f", "lavfi", "-i", f"testsrc=size=96x64:rate=25:duration={len(x) / 16000:.3f}", "-i",
                   str(wav), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-shortest",
                   str(vids / "speech0.mov"))
        else:
            mux_into_video(wav, vids / f"speech{k}.mp4")
    return vids


AUDIO_SEG = 1.3  # seconds: not a multiple of Silero's window or of the embedding hop


def test_vad_job_equals_vxfast_audio_vad(speech_videos, tmp_path):
    import vxfast.audio as A

    whole, segd = tmp_path / "whole", tmp_path / "seg"
    s = vd.vad(str(speech_videos), whole, ray=False)
    s2 = vd.vad(str(speech_videos), segd, segment_seconds=AUDIO_SEG, context_seconds=60, ray=False)
    assert s.errors == s2.errors == 0 and s.segments == 2 and s2.segments > 8
    for out in (whole, segd):
        t = vd.read_table(out, "vad").to_pandas()
        for v in sorted(speech_videos.iterdir()):
            ref = A.vad(v)
            assert len(ref) >= 2
            got = t[t.video_id == vd.fingerprint(v)].sort_values("start")
            assert list(zip(got.start, got.end)) == [(a, b) for a, b in ref]
    owners = vd.read_table(segd, "vad").to_pandas()
    assert owners.segment.nunique() > 1  # speech segments spread over plan segments, each once


def test_audio_embed_job_equals_vxfast_audio_embed(speech_videos, tmp_path):
    import vxfast.audio as A
    from vxfast.shared_data import shared_path

    m = shared_path("models/speech_embedding.onnx")
    for seg in (None, AUDIO_SEG):
        out = tmp_path / f"out{seg}"
        s = vd.audio_embed(str(speech_videos), m, out, segment_seconds=seg, ray=False)
        assert s.errors == 0
        t = vd.read_table(out, "audio_embeddings").to_pandas()
        assert s.rows == len(t)
        for v in sorted(speech_videos.iterdir()):
            ref = A.embed(v, m)
            got = t[t.video_id == vd.fingerprint(v)].sort_values("start")
            assert got.start.tolist() == ref.start.tolist()  # every window once, none lost
            assert got.end.tolist() == ref.end.tolist()
            # PCM: equal to batch rounding; AAC after a seek: its noise bands differ (docs/distributed.md)
            tol = 2e-4 if v.suffix == ".mov" or seg is None else 0.05
            np.testing.assert_allclose(np.stack(got.embedding.to_numpy()), ref.embeddings, atol=tol)



def test_audio_embed_job_with_a_centred_frontend(speech_videos, tmp_path):
    """Whisper's log-mel frames are centred (frame 0 starts 12.5 ms before the track): whole files
    give vxfast.audio.embed's windows and times; segments, whose edges it would reflect-pad, are refused."""
    import vxfast.audio as A
    from onnx_graphs import pooled_linear

    if not hasattr(A, "log_mel"):
        pytest.skip("the C++ front-ends are not in this build")
    m = pooled_linear(tmp_path / "wm.onnx", ["b", 100, 80], [1], 4, seed=3)
    out = tmp_path / "out"
    s = vd.audio_embed(str(speech_videos), m, out, frontend="whisper", ray=False)
    assert s.errors == 0
    t = vd.read_table(out, "audio_embeddings").to_pandas()
    for v in sorted(speech_videos.iterdir()):
        ref = A.embed(v, m, frontend="whisper")
        got = t[t.video_id == vd.fingerprint(v)].sort_values("start")
        assert got.start.tolist() == ref.start.tolist() and got.end.tolist() == ref.end.tolist()
        np.testing.assert_allclose(np.stack(got.embedding.to_numpy()), ref.embeddings, atol=2e-4)
    with pytest.raises(ValueError, match="centred"):
        vd.audio_embed(str(speech_videos), m, tmp_path / "seg", frontend="whisper", segment_seconds=AUDIO_SEG,
                       ray=False)

@pytest.mark.slow
def test_track_and_audio_on_ray_equal_local(ray_local, videos, speech_videos, model, tmp_path):
    local, dist = tmp_path / "local", tmp_path / "ray"
    for out, on_ray in ((local, False), (dist, True)):
        vd.track(str(videos), model, out, segment_seconds=SEG, warmup_seconds=0.5, ray=on_ray, concurrency=2)
        vd.vad(str(speech_videos), out, segment_seconds=AUDIO_SEG, context_seconds=3, ray=on_ray, concurrency=2)
    assert files(dist) == files(local)


def test_cli_track_and_audio_write_parquet(videos, speech_videos, model, tmp_path, capsys):
    import json

    from vxfast.cli import main
    from vxfast.shared_data import shared_path

    out = tmp_path / "out"
    assert main(["track", str(videos / "*"), "--model", str(model), "--out", str(out), "--json", "--no-progress"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["videos"], s["segments"], s["errors"], s["table"]) == (3, 3, 0, "tracks")
    assert s["rows"] == len(vd.read_table(out, "tracks"))
    assert main(["audio", str(speech_videos), "--vad", "--out", str(out), "--segment-seconds", str(AUDIO_SEG),
                 "--json", "--no-progress"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["table"] == "vad" and s["errors"] == 0 and s["rows"] == len(vd.read_table(out, "vad")) >= 4
    emb = shared_path("models/speech_embedding.onnx")
    assert main(["audio", str(speech_videos / "speech0.mov"), str(speech_videos / "speech1.mp4"), "--embed", str(emb),
                 "--out", str(out), "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == len(vd.read_table(out, "audio_embeddings")) > 0
    # one-video commands keep their files; many videos need a folder; diarize has no table
    assert main(["track", str(videos / "a_gop5.mp4"), str(videos / "c_7fps.avi"), "--model", str(model),
                 "--out", str(tmp_path / "t.txt")]) == 1
    assert "--out DIR" in capsys.readouterr().err
    assert main(["audio", str(speech_videos), "--diarize", str(emb), "--out", str(out)]) == 1
    assert "--vad or --embed" in capsys.readouterr().err


def test_audio_jobs_resume_and_record_errors(speech_videos, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for p in sorted(speech_videos.iterdir()):
        os.symlink(p, d / p.name)
    (d / "x_corrupt.mp4").write_bytes(np.random.default_rng(2).integers(0, 256, 4096, np.uint8).tobytes())
    (d / "y_empty.mp4").write_bytes(b"")
    out = tmp_path / "out"
    s = vd.vad(str(d), out, segment_seconds=AUDIO_SEG, ray=False)
    assert s.videos == 4 and s.errors == 2
    errors = vd.read_table(out, "errors").to_pylist()
    assert sorted(Path(e["path"]).name for e in errors) == ["x_corrupt.mp4", "y_empty.mp4"]
    assert all(e["table"] == "vad" for e in errors)
    before = files(out)
    again = vd.vad(str(d), out, segment_seconds=AUDIO_SEG, ray=False)
    assert again.skipped == s.done and again.errors == 2 and files(out) == before
    with pytest.raises(ValueError, match="threshold"):
        vd.vad(str(d), out, segment_seconds=AUDIO_SEG, threshold=0.6, ray=False)
