"""Model plumbing on small synthetic onnx.helper graphs: batch rewrite and fallback, resolution,
metadata, errors, the latency ring. Real-model behaviour is in test_model.py."""
from __future__ import annotations

import json
import warnings

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

import vxfast
from vxfast.model.batch_rewrite import make_batch_dynamic
from vxfast.model.metadata import parse_metadata
from vxfast.model.providers import choose_providers, parse_providers
from vxfast.model.resolve import resolve_model
from vxfast.model.stats import LatencyRing
from vxfast.model.tensorrt_engine import split_ultralytics_engine


def _save(graph, path, metadata=None):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for k, v in (metadata or {}).items():
        model.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


@pytest.fixture
def reshape_model(tmp_path):
    """x[1,2,3] -> Reshape(shape=Constant [1, 6]) -> *2 -> y[1,6]: the batch baked into a Reshape."""
    shape = helper.make_node("Constant", [], ["shape"],
                             value=numpy_helper.from_array(np.array([1, 6], np.int64)))
    reshape = helper.make_node("Reshape", ["x", "shape"], ["r"], name="flatten")
    two = numpy_helper.from_array(np.array(2.0, np.float32), "two")
    mul = helper.make_node("Mul", ["r", "two"], ["y"])
    g = helper.make_graph([shape, reshape, mul], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6])], [two])
    return _save(g, tmp_path / "reshape.onnx", {"task": "toy", "names": "['a', 'b']",
                                                 "imgsz": "[2, 3]"})


@pytest.fixture
def concat_model(tmp_path):
    """x[1,2] concatenated with a constant [1,2] on axis 1: the batch is baked where no rewrite reaches."""
    c = numpy_helper.from_array(np.array([[5.0, 7.0]], np.float32), "c")
    node = helper.make_node("Concat", ["x", "c"], ["y"], axis=1)
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [c])
    return _save(g, tmp_path / "concat.onnx")


def test_reshape_batch_rewritten_and_matches_numpy(reshape_model, tmp_path):
    with vxfast.Model(reshape_model, providers="cpu", batch=3, cache_dir=tmp_path / "c") as m:
        assert m.info.batch_mode == "rewritten"
        assert m.info.task == "toy" and m.info.names == {0: "a", 1: "b"} and m.info.imgsz == (2, 3)
        x = np.arange(18, dtype=np.float32).reshape(3, 2, 3)
        (y,) = m(x)
    np.testing.assert_array_equal(y, x.reshape(3, 6) * 2)


def test_unrewritable_batch_falls_back_to_split_with_warning(concat_model, tmp_path):
    with pytest.warns(vxfast.BatchFallbackWarning, match="concat.onnx"):
        m = vxfast.Model(concat_model, providers="cpu", batch=3, cache_dir=tmp_path / "c")
    assert m.info.batch_mode == "split" and "fixed at 1" in m.info.batch_note
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    (y,) = m(x)
    np.testing.assert_array_equal(y, np.concatenate([x, np.tile([[5.0, 7.0]], (5, 1))], axis=1))
    # The rejected verdict is cached: a second load does not redo the work, and still warns.
    verdicts = list((tmp_path / "c").glob("concat-*.json"))
    assert len(verdicts) == 1 and json.loads(verdicts[0].read_text())["ok"] is False
    with pytest.warns(vxfast.BatchFallbackWarning):
        vxfast.Model(concat_model, providers="cpu", batch=2, cache_dir=tmp_path / "c")


def test_rewrite_rejects_and_reports_instead_of_raising(concat_model, tmp_path):
    r = make_batch_dynamic(concat_model, tmp_path, input_name="x")
    assert not r.ok and r.path is None and "failed to run" in r.reason


def test_not_an_onnx_file_is_a_model_error(tmp_path):
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"this is not protobuf")
    with pytest.raises(vxfast.ModelError, match="broken.onnx"):
        vxfast.Model(bad)


def test_missing_model_lists_every_place_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("VXFAST_MODEL_DIR", str(tmp_path / "mine"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(vxfast.ModelError) as e:
        resolve_model("nosuchmodel")
    msg = str(e.value)
    for place in (tmp_path / "mine" / "nosuchmodel.engine", tmp_path / "mine" / "nosuchmodel.onnx",
                  tmp_path / "models" / "nosuchmodel.onnx"):
        assert str(place) in msg
    with pytest.raises(vxfast.ModelError, match="not found"):
        vxfast.Model(tmp_path / "x" / "y.onnx")


def test_engine_preferred_over_onnx(tmp_path, monkeypatch):
    (tmp_path / "net.onnx").write_bytes(b"x")
    monkeypatch.setenv("VXFAST_MODEL_DIR", str(tmp_path))
    assert resolve_model("net") == (tmp_path / "net.onnx").resolve()
    (tmp_path / "net.engine").write_bytes(b"x")
    assert resolve_model("net") == (tmp_path / "net.engine").resolve()
    assert resolve_model("net.onnx") == (tmp_path / "net.onnx").resolve()


def test_engine_without_tensorrt_is_a_clear_model_error(tmp_path):
    try:
        import tensorrt  # noqa: F401
        pytest.skip("tensorrt is installed here")
    except ImportError:
        pass
    eng = tmp_path / "net.engine"
    eng.write_bytes(b"\0" * 16)
    with pytest.raises(vxfast.ModelError, match="net.engine.*tensorrt"):
        vxfast.Model(eng)


def test_ultralytics_engine_header_is_split():
    meta = {"task": "detect", "names": {"0": "person"}, "imgsz": [640, 640], "batch": 1}
    blob = json.dumps(meta).encode()
    raw, engine = split_ultralytics_engine(len(blob).to_bytes(4, "little") + blob + b"ENGINE")
    assert engine == b"ENGINE"
    md = parse_metadata(raw)
    assert md.task == "detect" and md.names == {0: "person"} and md.imgsz == (640, 640)
    assert split_ultralytics_engine(b"\xff\xff\xff\x7fENGINE") == ({}, b"\xff\xff\xff\x7fENGINE")


def test_metadata_parsing_never_evaluates_code():
    md = parse_metadata({"names": "__import__('os').system('true')", "imgsz": "640", "stride": "x"})
    assert md.names is None and md.imgsz == (640, 640) and md.stride is None and md.task is None
    assert md.raw["names"].startswith("__import__")


def test_provider_choice():
    avail = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers("auto", avail) == avail
    assert choose_providers(None, ["TensorrtExecutionProvider", *avail], tensorrt=False) == avail
    assert parse_providers("TRT, cuda") == ["TensorrtExecutionProvider", "CUDAExecutionProvider"]
    with pytest.warns(vxfast.ProviderWarning, match="CoreMLExecutionProvider"):
        assert choose_providers("coreml", avail) == ["CPUExecutionProvider"]
    with pytest.raises(vxfast.ModelError, match="bogus"):
        choose_providers("bogus", avail)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1e-6, 5.0), min_size=1, max_size=50), st.integers(1, 16))
def test_latency_ring_matches_numpy_over_the_window(secs, capacity):
    ring = LatencyRing(capacity)
    for s in secs:
        ring.record(s, 2)
    window = np.array(secs[-capacity:]) * 1e3
    out = ring.summary()
    assert out["calls"] == len(secs) and out["frames"] == 2 * len(secs)
    assert out["window"] == len(window)
    for key, q in (("p50", 50), ("p95", 95), ("p99", 99)):
        assert out["latency_ms"][key] == pytest.approx(np.percentile(window, q))
    assert out["latency_ms"]["max"] == pytest.approx(window.max())
    assert out["fps"] == pytest.approx(2 * len(window) / (window.sum() / 1e3))


def test_float16_and_multi_input_validation(tmp_path):
    add = helper.make_node("Add", ["a", "b"], ["y"])
    g = helper.make_graph([add], "g",
                          [helper.make_tensor_value_info("a", TensorProto.FLOAT16, ["n", 4]),
                           helper.make_tensor_value_info("b", TensorProto.FLOAT16, ["n", 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT16, ["n", 4])])
    path = _save(g, tmp_path / "add16.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = vxfast.Model(path, providers="cpu", warmup=1)
    a = np.ones((3, 4), np.float16)
    (y,) = m({"a": a, "b": a * 2})
    np.testing.assert_array_equal(y, np.full((3, 4), 3, np.float16))
    with pytest.raises(vxfast.ModelError, match="disagree on batch"):
        m({"a": a, "b": a[:2]})
    with pytest.raises(vxfast.ModelError, match=r"pass a dict"):
        m(a)
    with pytest.raises(vxfast.ModelError, match="float16"):
        m({"a": a.astype(np.float32), "b": a})


def test_model_info_cli(reshape_model, tmp_path, monkeypatch, capsys):
    from vxfast.cli import main
    monkeypatch.setenv("VXFAST_CACHE_DIR", str(tmp_path / "c"))
    assert main(["model-info", str(reshape_model), "--batch", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["batch_mode"] == "rewritten" and out["inputs"][0]["shape"] == ["batch", 2, 3]
    assert out["names"] == {"0": "a", "1": "b"} and out["providers"] == ["CPUExecutionProvider"]
    assert main(["model-info", str(reshape_model)]) == 0
    assert "batch      1 (static" in capsys.readouterr().out
    assert main(["model-info", str(tmp_path / "none.onnx")]) == 1
    assert "none.onnx" in capsys.readouterr().err
