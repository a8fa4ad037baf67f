"""vxfast.Model on the real YOLOv8n exports and real frames of vtest.avi, against bare onnxruntime."""
from __future__ import annotations

import ast

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest

import vxfast
from test_preprocess_reference import normalize, ultralytics_letterbox
from vxfast.model.batch_rewrite import make_batch_dynamic

from media_helpers import run_in_threads


def letterbox(bgr: np.ndarray, size: int = 640) -> np.ndarray:
    """Ultralytics-style letterbox to a float32 RGB CHW tensor in [0, 1] (pad 114, centred)."""
    return normalize(ultralytics_letterbox(bgr, (size, size)), swap=True)


@pytest.fixture(scope="module")
def frames(vtest_avi) -> np.ndarray:
    """Six letterboxed frames spread over the clip (different content per frame)."""
    cap = cv2.VideoCapture(str(vtest_avi))
    out = []
    idx = 0
    while len(out) < 6:
        ok, frame = cap.read()
        if not ok:
            break
        if idx % 50 == 0:
            out.append(letterbox(frame))
        idx += 1
    cap.release()
    assert len(out) == 6, "vtest.avi should give at least 251 frames"
    return np.stack(out)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("vxfast-cache")


@pytest.fixture(scope="module")
def static_path(models_dir):
    return models_dir / "yolov8n.onnx"


@pytest.fixture(scope="module")
def dynamic_path(models_dir):
    return models_dir / "yolov8n-dynamic.onnx"


@pytest.fixture(scope="module")
def bare_static(static_path):
    return ort.InferenceSession(str(static_path), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def bare_dynamic(dynamic_path):
    return ort.InferenceSession(str(dynamic_path), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def model1(static_path, cache):
    with vxfast.Model(static_path, providers="cpu", cache_dir=cache) as m:
        yield m


@pytest.fixture(scope="module")
def model4(static_path, cache, frames):
    with vxfast.Model(static_path, providers="cpu", batch=4, cache_dir=cache,
                      verify_samples=frames[:2]) as m:
        yield m


def test_info_comes_from_the_file_metadata(model1, static_path):
    props = {p.key: p.value for p in onnx.load(str(static_path), load_external_data=False).metadata_props}
    info = model1.info
    assert info.task == props["task"] == "detect"
    assert info.names == ast.literal_eval(props["names"]) and info.names[0] == "person"
    assert info.imgsz == tuple(ast.literal_eval(props["imgsz"]))
    assert info.stride == int(props["stride"])
    assert info.input_name == "images" and info.input_dtype == np.float32
    assert info.input.shape == (1, 3, 640, 640) and info.input_size == (640, 640)
    assert info.output_names == ("output0",) and info.outputs[0].shape == (1, 84, 8400)
    assert info.static_batch == 1 and not info.batch_dynamic
    assert info.batch == 1 and info.batch_mode == "static"
    assert info.providers == ("CPUExecutionProvider",)
    assert "yolov8n.onnx" in info.summary()


def test_batch1_matches_bare_onnxruntime(model1, bare_static, frames):
    x = frames[:1]
    (ref,) = bare_static.run(None, {"images": x})
    (out,) = model1(x)
    assert out.shape == ref.shape == (1, 84, 8400)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-4)


def test_outputs_are_preallocated_and_reused_without_copy(model1, frames):
    a = model1.run(frames[:1], copy=False)[0]
    first = a.copy()
    b = model1.run(frames[1:2], copy=False)[0]
    assert a is b  # the same bound buffer, refilled
    assert not np.array_equal(first, b)
    c = model1(frames[2:3])[0]
    assert c is not b and not np.shares_memory(c, b)


def test_fixed_batch_model_rewritten_to_dynamic_matches_dynamic_export(model4, bare_dynamic,
                                                                        bare_static, frames, cache):
    info = model4.info
    assert info.batch_mode == "rewritten" and info.batch == 4 and info.static_batch == 1
    assert info.path != info.source_path and info.path.parent == cache
    assert info.input.shape[0] == "batch" and info.outputs[0].shape[0] == "batch"
    x = frames[:4]
    (out,) = model4(x)
    (ref_dyn,) = bare_dynamic.run(None, {"images": x})
    ref_single = np.concatenate([bare_static.run(None, {"images": x[i:i + 1]})[0] for i in range(4)])
    assert out.shape == (4, 84, 8400)
    np.testing.assert_allclose(out, ref_single, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(out, ref_dyn, rtol=1e-4, atol=1e-3)


def test_rewrite_verified_on_real_frames_and_cached_by_hash(static_path, frames, cache):
    r = make_batch_dynamic(static_path, cache, input_name="images", samples=frames[2:4], force=True)
    assert r.ok and r.path is not None and r.path.is_file()
    assert r.max_abs_diff is not None and r.max_abs_diff < 1e-2
    again = make_batch_dynamic(static_path, cache, input_name="images", samples=frames[2:4])
    assert again.cached and again.path == r.path
    rewritten = onnx.load(str(r.path))
    assert rewritten.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in rewritten.graph.initializer}
    reshapes = [n for n in rewritten.graph.node if n.op_type == "Reshape"]
    assert len(reshapes) == 8
    for n in reshapes:  # every Reshape shape now carries the batch through (0) instead of a 1
        assert n.input[1] in inits and int(inits[n.input[1]][0]) == 0, n.name


def test_static_model_takes_an_unannounced_batch(static_path, cache, frames, bare_static):
    """Never onnxruntime's "Got invalid dimensions": a batch-1 model called with 3 frames works."""
    with vxfast.Model(static_path, providers="cpu", cache_dir=cache, warmup=0) as m:
        assert m.info.batch_mode == "static"
        (out,) = m(frames[:3])
        assert m.info.batch_mode == "rewritten"
    ref = np.concatenate([bare_static.run(None, {"images": frames[i:i + 1]})[0] for i in range(3)])
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-3)


def test_dynamic_model_batches_natively(dynamic_path, cache, frames, bare_static):
    with vxfast.Model(dynamic_path, providers="cpu", batch=2, cache_dir=cache) as m:
        assert m.info.batch_mode == "dynamic" and m.info.static_batch is None
        assert m.info.path == dynamic_path.resolve()
        (out,) = m(frames[3:5])
    ref = np.concatenate([bare_static.run(None, {"images": frames[i:i + 1]})[0] for i in (3, 4)])
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("bad, words", [
    (np.zeros((1, 3, 640, 640), np.float64), ["float32", "float64"]),
    (np.zeros((1, 3, 320, 640), np.float32), ["[batch, 3, 640, 640]", "[1, 3, 320, 640]"]),
    (np.zeros((3, 640, 640), np.float32), ["[batch, 3, 640, 640]", "[3, 640, 640]"]),
    (np.zeros((0, 3, 640, 640), np.float32), ["[0, 3, 640, 640]"]),
    ([[1.0]], ["numpy array", "list"]),
    ({"pixels": np.zeros((1, 3, 640, 640), np.float32)}, ["pixels", "images"]),
])
def test_wrong_input_raises_model_error_naming_model_and_problem(model1, bad, words):
    with pytest.raises(vxfast.ModelError) as e:
        model1(bad)
    msg = str(e.value)
    assert "yolov8n.onnx" in msg
    for w in words:
        assert w in msg


def test_bare_name_found_in_model_dir(tmp_path, monkeypatch, static_path, cache):
    (tmp_path / "yolov8n.onnx").symlink_to(static_path)  # a link, not a copy of the shared file
    monkeypatch.setenv("VXFAST_MODEL_DIR", str(tmp_path))
    with vxfast.Model("yolov8n", providers="cpu", cache_dir=cache, warmup=0) as m:
        assert m.info.source_path == (tmp_path / "yolov8n.onnx").resolve()
        assert m.info.task == "detect"


def test_requested_unavailable_provider_warns_and_falls_back(static_path, cache):
    missing = next((p for p in ("TensorrtExecutionProvider", "CUDAExecutionProvider",
                                "CoreMLExecutionProvider")
                    if p not in ort.get_available_providers()), None)
    if missing is None:
        pytest.skip("every accelerator provider is available here")
    with pytest.warns(vxfast.ProviderWarning, match=missing):
        m = vxfast.Model(static_path, providers=[missing, "cpu"], cache_dir=cache, warmup=0)
    assert m.info.providers == ("CPUExecutionProvider",)
    m.close()


def test_profile_applies_and_explicit_arguments_override(static_path, cache, monkeypatch):
    for var in ("VXFAST_THREADS", "VXFAST_BATCH_SIZE", "VXFAST_PROVIDERS", "VXFAST_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    with vxfast.Model(static_path, profile="dev_pi", cache_dir=cache, warmup=0) as m:
        assert m.config.name == "dev_pi" and m.config.threads == 2 and m.batch == 1
        assert m.info.providers == ("CPUExecutionProvider",)
    with vxfast.Model(static_path, profile="dev_pi", threads=1, cache_dir=cache, warmup=0) as m:
        assert m.config.threads == 1 and m.config.providers == "cpu"  # the rest stays the profile's
    monkeypatch.setenv("VXFAST_THREADS", "1")
    with vxfast.Model(static_path, profile="dev_pi", cache_dir=cache, warmup=0) as m:
        assert m.config.threads == 1  # environment beats the profile
    with pytest.raises(vxfast.ConfigError, match="no_such_profile"):
        vxfast.Model(static_path, profile="no_such_profile")
    with pytest.raises(vxfast.ConfigError, match="batch_size"):
        vxfast.Model(static_path, batch=0)


def test_stats_count_calls_not_warmup(static_path, cache, frames):
    with vxfast.Model(static_path, providers="cpu", cache_dir=cache, warmup=2) as m:
        assert m.stats()["calls"] == 0
        for i in range(3):
            m(frames[i:i + 1])
        s = m.stats()
    lat = s["latency_ms"]
    assert s["calls"] == 3 and s["frames"] == 3
    assert 0 < lat["min"] <= lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert lat["min"] <= lat["mean"] <= lat["max"]
    assert s["fps"] == pytest.approx(3 / (3 * lat["mean"] / 1e3), rel=1e-6)


def test_concurrent_calls_from_threads_give_each_its_own_result(model1, bare_static, frames):
    refs = [bare_static.run(None, {"images": frames[i:i + 1]})[0] for i in range(4)]
    results = run_in_threads(lambda i: [model1(frames[i:i + 1])[0] for _ in range(2)][-1], 4)
    for i in range(4):
        np.testing.assert_allclose(results[i], refs[i], rtol=1e-5, atol=1e-4)


def test_closed_model_refuses_to_run(static_path, cache, frames):
    with vxfast.Model(static_path, providers="cpu", cache_dir=cache, warmup=0) as m:
        pass
    with pytest.raises(vxfast.ModelError, match="close"):
        m(frames[:1])


def test_debug_profile_checks_tensors(static_path, cache, frames):
    with vxfast.Model(static_path, profile="debug", providers="cpu", cache_dir=cache) as m:
        bad = frames[:1].copy()
        bad[0, 0, 0, 0] = np.nan
        with pytest.raises(vxfast.ModelError, match="NaN"):
            m(bad)


def test_task_mismatch_is_a_model_error(static_path, cache):
    with pytest.raises(vxfast.ModelError, match="'detect' model, expected 'segment'"):
        vxfast.Model(static_path, task="segment", cache_dir=cache, warmup=0)


def test_tensorrt_engine_runs_when_available(tmp_path):
    pytest.importorskip("tensorrt")
    pytest.importorskip("cuda")
    engines = sorted(vxfast.shared_data.shared_dir().glob("models/*.engine"))
    if not engines:
        pytest.skip("no .engine file in the shared models")
    with vxfast.Model(engines[0]) as m:
        x = np.zeros(m.input_shape(), m.info.input_dtype)
        outs = m(x)
        assert m.info.backend == "tensorrt" and outs[0].shape[0] == x.shape[0]


def test_streams_run_concurrently_and_agree_with_bare(static_path, cache, bare_static, frames):
    """Two sessions of one thread each: every concurrent caller gets its own, correct result."""
    refs = [bare_static.run(None, {"images": frames[i:i + 1]})[0] for i in range(6)]
    with vxfast.Model(static_path, providers="cpu", streams=2, cache_dir=cache, warmup=0) as m:
        assert m.streams == 2 and m.info.streams == 2 and "streams=2" in repr(m)
        def work(i: int) -> np.ndarray:
            with m.stream() as s:  # copy=False buffers stay ours inside the block
                return s.run(frames[i:i + 1], copy=False)[0].copy()

        results = run_in_threads(work, 6)
        for i in range(6):
            np.testing.assert_allclose(results[i], refs[i], rtol=1e-5, atol=1e-4)
        assert m.stats()["calls"] == 6
    with pytest.raises(vxfast.ModelError, match="close"):
        m(frames[:1])


def test_streams_follow_a_lazy_batch_rewrite(static_path, cache, bare_static, frames):
    """A batch nobody announced rewrites the fixed batch axis once; the other stream follows."""
    refs = bare_static.run(None, {"images": frames[:1]})[0]
    with vxfast.Model(static_path, providers="cpu", streams=2, cache_dir=cache, warmup=0) as m:
        assert m.info.batch_mode == "static"
        with m.stream() as a, m.stream() as b:
            out4 = a.run(frames[:4])[0]
            assert m.info.batch_mode == "rewritten"
            out1 = b.run(frames[:1])[0]
        np.testing.assert_allclose(out4[:1], refs, rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(out1, refs, rtol=1e-5, atol=1e-4)


def test_streams_setting_is_validated(static_path, cache):
    with pytest.raises(vxfast.ConfigError, match="streams"):
        vxfast.Model(static_path, providers="cpu", streams=-1, cache_dir=cache, warmup=0)
    cfg = vxfast.Config().with_env({"VXFAST_STREAMS": "3"})
    assert cfg.streams == 3
