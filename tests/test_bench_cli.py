"""`vxfast bench` and `vxfast.benchmark.run` on the real yolov8n, with tiny iteration counts (one
CPU frame is 110-180 ms here). No timing is asserted: only the report's shape, ordering and the exit
codes of the p99 gate, whose targets are far outside anything a real run can reach."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import vxfast
from vxfast import benchmark
from vxfast.cli import main
from vxfast.cli.bench import EXIT_P99_MISSED

KEYS = ["max", "mean", "min", "p50", "p95", "p99"]


@pytest.fixture(scope="module")
def yolov8n(models_dir) -> Path:
    return models_dir / "yolov8n.onnx"


@pytest.fixture(scope="module")
def model(yolov8n):
    with vxfast.Model(yolov8n, providers="cpu", warmup=0) as m:
        yield m


def ordered(d: dict) -> bool:
    return d["min"] <= d["p50"] <= d["p95"] <= d["p99"] <= d["max"] and d["min"] <= d["mean"] <= d["max"]


def test_percentiles_match_numpy():
    xs = np.random.default_rng(3).gamma(2.0, 10.0, 57)
    p = benchmark.percentiles(xs)
    assert p["p95"] == pytest.approx(np.percentile(xs, 95))
    assert p["mean"] == pytest.approx(xs.mean()) and p["max"] == xs.max() and p["min"] == xs.min()
    assert all(math.isnan(v) for v in benchmark.percentiles([]).values())


def test_synthetic_input_is_a_seeded_image_batch(model):
    x = benchmark.synthetic_input(model, 2, seed=5)
    assert x.shape == (2, 3, 640, 640) and x.dtype == np.float32 and x.flags.c_contiguous
    assert 0.0 <= x.min() and x.max() < 1.0 and abs(float(x.mean()) - 0.5) < 0.01
    np.testing.assert_array_equal(x, benchmark.synthetic_input(model, 2, seed=5))


def test_run_synthetic_report(model):
    r = benchmark.run(model, iters=3, warmup=1)
    assert sorted(r.latency_ms) == KEYS and ordered(r.latency_ms) and ordered(r.latency_per_frame_ms)
    assert r.source == "synthetic" and r.iters == 3 and r.frames == 3 and r.input_shape == [1, 3, 640, 640]
    # fps is frames over the summed iteration latencies
    assert r.fps == pytest.approx(r.frames / (r.latency_ms["mean"] * r.iters / 1e3), rel=1e-6)
    assert set(r.stages) == {"inference", "postprocess"}
    assert r.stages["postprocess"]["note"].startswith("YOLO")
    total = sum(s["total_ms"] for s in r.stages.values())
    assert total <= r.latency_ms["mean"] * r.iters * 1.0001
    assert r.peak_rss_mb > 50 and r.vram_mb is None  # CPU run: no VRAM figure
    assert r.versions["vxfast"] == vxfast.__version__ and "onnxruntime" in r.versions
    assert r.machine["cpu_cores"] >= 1
    assert model.stats()["calls"] >= 4  # the report's runs went through the Model itself


def test_run_video_batches_per_frame_and_stages(model, vtest_avi):
    r = benchmark.run(model, video=vtest_avi, batch=2, iters=2, warmup=0, stage_frames=2)
    assert r.frames == 4 and r.input_shape == [2, 3, 640, 640] and r.source == str(vtest_avi)
    for k in KEYS:
        assert r.latency_per_frame_ms[k] == pytest.approx(r.latency_ms[k] / 2)
    assert list(r.stages) == ["decode", "preprocess", "wait", "inference", "postprocess"]
    assert r.stages["decode"]["overlapped"] and r.stages["decode"]["share"] is None
    assert r.stages["decode"]["ms_per_frame"] > 0 and r.stages["preprocess"]["ms_per_frame"] > 0
    # the non-overlapped stages are inside each iteration, so their shares add up to at most 1
    assert sum(r.stages[s]["share"] for s in ("wait", "inference", "postprocess")) <= 1.0001


def test_run_loops_short_video(model, make_video):
    clip = make_video("bench_3frames.mp4", "-frames:v", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p")
    r = benchmark.run(model, video=clip, batch=2, iters=3, warmup=0, stage_frames=0)
    # 3 frames in batches of 2 -> 2, 1, then the video starts over -> 2
    assert r.frames == 5 and "decode" not in r.stages


@pytest.mark.parametrize("kw, match", [({"iters": 0}, "iters=0"), ({"warmup": -1}, "warmup=-1"),
                                       ({"batch": 0}, "batch=0"), ({"postprocess": "ssd"}, "postprocess"),
                                       ({"providers": "cpu"}, "providers: an open Model")])
def test_run_rejects_bad_arguments(model, kw, match):
    with pytest.raises(ValueError, match=match):
        benchmark.run(model, **{"iters": 1, "warmup": 0, **kw})


def test_cli_json_and_gate_pass(yolov8n, tmp_path, capsys):
    out = tmp_path / "bench.json"
    rc = main(["bench", "--model", str(yolov8n), "--providers", "cpu", "--iters", "2", "--warmup", "0",
               "--json", str(out), "--p99-ms", "1e9"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "per batch" in text and "per frame" in text and "p99 within" in text
    doc = json.loads(out.read_text())
    for key in ("latency_ms", "fps", "stages", "peak_rss_mb", "machine", "versions"):
        assert key in doc
    assert sorted(doc["latency_ms"]) == KEYS and ordered(doc["latency_ms"])
    assert doc["providers"] == ["CPUExecutionProvider"] and doc["fps"] > 0


def test_cli_gate_missed_exits_nonzero(yolov8n, capsys):
    rc = main(["bench", "--model", str(yolov8n), "--iters", "1", "--warmup", "0", "--p99-ms", "0.001"])
    assert rc == EXIT_P99_MISSED
    assert "misses the target of 0.001 ms" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--iters", "0"], "argument --iters: expected an integer >= 1, got 0"),
    (["--batch", "two"], "argument --batch: expected an integer >= 1, got 'two'"),
    (["--p99-ms", "-5"], "argument --p99-ms: expected milliseconds > 0, got '-5'"),
    (["--postprocess", "ssd"], "argument --postprocess: invalid choice"),
])
def test_cli_bad_arguments_are_usage_errors(yolov8n, capsys, args, message):
    with pytest.raises(SystemExit) as e:
        main(["bench", "--model", str(yolov8n), *args])
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_missing_files_name_them(yolov8n, tmp_path, capsys):
    assert main(["bench", "--model", str(tmp_path / "nope.onnx")]) == 1
    assert "nope.onnx" in capsys.readouterr().err
    assert main(["bench", "--model", str(yolov8n), "--video", str(tmp_path / "nope.mp4"),
                 "--iters", "1", "--warmup", "0"]) == 1
    assert "nope.mp4" in capsys.readouterr().err


def test_cli_bad_profile_names_it(yolov8n, capsys):
    assert main(["bench", "--model", str(yolov8n), "--profile", "no_such_profile", "--iters", "1"]) == 1
    assert "no_such_profile" in capsys.readouterr().err


def test_cli_compare_providers_writes_one_run_per_provider(yolov8n, tmp_path, capsys):
    import onnxruntime

    out = tmp_path / "cmp.json"
    assert main(["bench", "--model", str(yolov8n), "--compare-providers", "--iters", "1", "--warmup", "0",
                 "--postprocess", "none", "--json", str(out)]) == 0
    runs = json.loads(out.read_text())["runs"]
    usable = [p for p in onnxruntime.get_available_providers()
              if p in ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CoreMLExecutionProvider",
                       "CPUExecutionProvider")]
    assert [r["providers"][0] for r in runs] == usable
    assert all(r["stages"]["postprocess"]["total_ms"] >= 0 for r in runs)
    assert "providers compared" in capsys.readouterr().out or len(runs) == 1


def test_cli_compare_providers_conflicts_with_providers(yolov8n, capsys):
    assert main(["bench", "--model", str(yolov8n), "--providers", "cpu", "--compare-providers"]) == 1
    assert "--compare-providers" in capsys.readouterr().err


def test_vxfast_bench_fixture_in_a_user_test(yolov8n, tmp_path):
    """The plugin as a user would load it: a test file with one line, in a separate pytest run."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["vxfast.testing"]\n')
    (tmp_path / "test_speed.py").write_text(textwrap.dedent(f"""
        def test_speed(vxfast_bench, benchmark):
            m = vxfast_bench({str(yolov8n)!r}, rounds=2, warmup=0, providers="cpu")
            assert benchmark.extra_info["input_shape"] == [1, 3, 640, 640]
            assert m.stats()["calls"] == 2
    """))
    out = tmp_path / "bench.json"
    env_path = str(Path(vxfast.__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path),
                           f"--benchmark-json={out}"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": env_path}, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(out.read_text())
    (b,) = doc["benchmarks"]
    assert b["group"] == "vxfast:yolov8n.onnx" and b["stats"]["rounds"] == 2
    assert b["extra_info"]["providers"] == ["CPUExecutionProvider"]
