"""The public API's shape (issue 13): no module shadowed by a function, one return type per call
form, one letterbox type carried natively from the spec to the decoder, a YOLO decoder prepared
once, one detections type, and threads=0 meaning FFmpeg's own choice."""
from __future__ import annotations

import importlib
import os
import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from vxfast import _core
from vxfast.config import heuristics
from vxfast.postprocess import YoloDecoder, yolo

from test_postprocess_yolo import yolov8n  # noqa: F401  (real yolov8n outputs)

# ------------------------------------------------------------------------------------ modules

@pytest.mark.parametrize("func, module", [("detect", "detection"), ("clips", "video_clips"),
                                          ("preprocess", "preprocessing")])
def test_no_module_is_shadowed_by_a_function(func, module):
    mod = importlib.import_module(f"vxfast.{module}")
    assert mod.__name__ == f"vxfast.{module}"
    # Importing the module does not rebind the function of the same purpose, and no module of the
    # function's name exists to rebind it.
    assert callable(getattr(vxfast, func)) and not isinstance(getattr(vxfast, func), type(mod))
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"vxfast.{func}")
    assert getattr(vxfast, func) is getattr(mod, func)


# ---------------------------------------------------------------------------------- letterbox

def test_letterbox_info_is_the_native_geometry(tmp_path):
    spec = vxfast.Letterbox(640)
    info = spec.info(1280, 720)
    assert type(info) is vxfast.LetterboxInfo is _core.geometry.LetterboxGeometry
    assert (info.scale_x, info.scale_y, info.pad_left, info.pad_top) == (0.5, 0.5, 0.0, 140.0)
    assert (info.src_width, info.src_height) == (1280, 720)
    same = vxfast.LetterboxInfo(0.5, 0.5, 0.0, 140.0, 1280, 720)
    assert info == same and hash(info) == hash(same) and info != vxfast.LetterboxInfo(0.5, 0.5, 0, 0, 1280, 720)
    assert pickle.loads(pickle.dumps(info)) == info
    assert info.astuple() == (0.5, 0.5, 0.0, 140.0, 1280, 720)
    assert repr(info).startswith("LetterboxInfo(scale_x=0.5")
    with pytest.raises(AttributeError):
        info.scale_x = 2.0  # immutable, like the frozen dataclass it replaces
    for bad in ((0, 1, 0, 0, 1, 1), (1, float("nan"), 0, 0, 1, 1), (1, 1, float("inf"), 0, 1, 1),
                (1, 1, 0, 0, -1, 1)):
        with pytest.raises(ValueError, match="letterbox"):
            vxfast.LetterboxInfo(*bad)
    # The preprocess functions and the pipeline hand out the same type.
    _, got = vxfast.letterbox(np.zeros((720, 1280, 3), np.uint8), 640)
    assert type(got) is vxfast.LetterboxInfo and got == info


def _numpy_to_source(info, b):
    """The removed dataclass's mapping, verbatim (the reference the C++ methods must match)."""
    out = b.astype(b.dtype if b.dtype.kind == "f" else np.float32, copy=True)
    out[..., 0::2] = np.clip((out[..., 0::2] - info.pad_left) / info.scale_x, 0, info.src_width)
    out[..., 1::2] = np.clip((out[..., 1::2] - info.pad_top) / info.scale_y, 0, info.src_height)
    return out


def _numpy_to_tensor(info, b):
    out = b.astype(b.dtype if b.dtype.kind == "f" else np.float32, copy=True)
    out[..., 0::2] = out[..., 0::2] * info.scale_x + info.pad_left
    out[..., 1::2] = out[..., 1::2] * info.scale_y + info.pad_top
    return out


@settings(max_examples=60, deadline=None)
@given(w=st.integers(1, 4000), h=st.integers(1, 4000), size=st.sampled_from([320, 640]),
       dtype=st.sampled_from([np.float32, np.float64, np.int32]), n=st.integers(0, 20),
       seed=st.integers(0, 2**31 - 1))
def test_mappings_match_numpy_bit_for_bit(w, h, size, dtype, n, seed):
    info = vxfast.Letterbox(size).info(w, h)
    rng = np.random.default_rng(seed)
    boxes = rng.uniform(-50, size + 50, (n, 4)).astype(dtype)
    orig = boxes.copy()
    got = info.to_source(boxes)
    ref = _numpy_to_source(info, boxes)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(info.to_tensor(boxes), _numpy_to_tensor(info, boxes))
    pts = rng.uniform(-50, size + 50, (n, 17, 3)).astype(dtype)
    ref_p = pts.astype(pts.dtype if pts.dtype.kind == "f" else np.float32, copy=True)
    ref_p[..., 0] = np.clip((ref_p[..., 0] - info.pad_left) / info.scale_x, 0, info.src_width)
    ref_p[..., 1] = np.clip((ref_p[..., 1] - info.pad_top) / info.scale_y, 0, info.src_height)
    np.testing.assert_array_equal(info.to_source_points(pts), ref_p)
    np.testing.assert_array_equal(boxes, orig)  # the input is never written


def test_pipeline_batches_carry_the_geometry(vtest_avi):
    spec = vxfast.Letterbox(320)
    with vxfast.Pipeline(vtest_avi, spec, batch=2, sample="uniform:2") as p:
        info = p.letterbox
        for b in p:
            assert type(b.letterbox) is vxfast.LetterboxInfo and b.letterbox == info
    r = vxfast.VideoReader(vtest_avi)
    assert info == spec.info(r.info.width, r.info.height)


# -------------------------------------------------------------------------------- YoloDecoder

def test_one_return_type_per_call_form(yolov8n):
    out = yolov8n.out
    assert isinstance(yolo(out[:1]), list) and len(yolo(out[:1])) == 1
    assert isinstance(vxfast.postprocess.yolo_pose(np.zeros((1, 56, 100), np.float32)), list)
    with pytest.raises(ValueError, match=r"rank 3.*output\[None\]"):
        yolo(out[0])
    with pytest.raises(ValueError, match=r"rank 3"):
        vxfast.postprocess.retinaface(np.zeros((16800, 16), np.float32))


def test_prepared_decoder_equals_one_shot_and_checks_shapes(yolov8n):
    dec = YoloDecoder(0.1, 0.45, names=yolov8n.names, threads=1)
    ref = yolo(yolov8n.out, conf=0.1, letterbox=yolov8n.infos, names=yolov8n.names, threads=1)
    for _ in range(2):  # the prepared layout is reused
        got = dec(yolov8n.out, yolov8n.infos)
        assert got == ref and all(a.names is dec.names for a in got)
    # A native LetterboxInfo and the same values as a foreign object map alike.
    native = vxfast.LetterboxInfo(*(getattr(yolov8n.infos[0], k) for k in (
        "scale_x", "scale_y", "pad_left", "pad_top", "src_width", "src_height")))
    assert dec(yolov8n.out[:1], native)[0] == dec(yolov8n.out[:1], yolov8n.infos[0])[0]
    # An explicit layout is prepared at construction and checks every output against it.
    fixed = YoloDecoder(0.25, format="yolov8", nc=80)
    with pytest.raises(ValueError, match="cannot hold 80 classes"):
        fixed(np.zeros((1, 50, 8400), np.float32))
    # Bad arguments fail at construction, before any output is seen.
    for kw, msg in (({"conf": 2}, "conf"), ({"iou": -1}, "iou"), ({"max_det": -3}, "max_det"),
                    ({"threads": -1}, "threads"), ({"format": "v9"}, "format"),
                    ({"nc": 0}, "nc"), ({"kpt_shape": (17, 4)}, "kpt_shape")):
        with pytest.raises(ValueError, match=msg):
            YoloDecoder(**kw)
    # "auto" re-resolves when the shape changes (a transposed head, given the class count).
    auto = YoloDecoder(0.1, nc=80)
    t = np.ascontiguousarray(yolov8n.out.transpose(0, 2, 1))
    assert auto(yolov8n.out) == auto(t) == yolo(yolov8n.out, conf=0.1)


def test_with_names_fixes_the_class_count(yolov8n):
    dec = YoloDecoder(0.25).with_names(yolov8n.names)
    assert dec.nc == 80 and dec(yolov8n.out[:1])[0].names is dec.names
    assert dec(yolov8n.out[:1])[0] == yolo(yolov8n.out[:1], names=yolov8n.names)[0]


def test_one_decoder_serves_threads_at_once(yolov8n):
    dec = YoloDecoder(0.01, threads=1)
    ref = [dec(yolov8n.out[b:b + 1], yolov8n.infos[b]) for b in range(len(yolov8n.out))]
    errors: list = []

    def worker(k):
        try:
            for r in range(20):
                b = (r + k) % len(ref)
                assert dec(yolov8n.out[b:b + 1], yolov8n.infos[b]) == ref[b]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


# ------------------------------------------------------------------------------------- detect

def test_detect_yields_detections_with_index_and_pts(vtest_avi, models_dir):
    got = list(vxfast.detect(vtest_avi, models_dir / "yolov8n.onnx", sample="uniform:3", streams=1))
    assert [type(d) for d in got] == [vxfast.Detections] * 3
    assert vxfast.detection.FrameDetections is vxfast.Detections
    r = vxfast.VideoReader(vtest_avi)
    for d in got:
        assert isinstance(d.index, int) and isinstance(d.pts, float)
        assert d.pts == pytest.approx(r.get_frame_at(d.index).pts)
        assert isinstance(d.class_names, np.ndarray)  # the same attribute types as any Detections
        assert d[:2].index == d.index  # selections keep where the frame came from
    assert yolo(np.zeros((1, 84, 100), np.float32))[0].index is None


def test_detect_takes_max_det_from_the_config(vtest_avi, models_dir):
    model = models_dir / "yolov8n.onnx"
    full = list(vxfast.detect(vtest_avi, model, sample="uniform:2", streams=1, conf=0.01))
    capped = list(vxfast.detect(vtest_avi, model, sample="uniform:2", streams=1, conf=0.01,
                                profile=vxfast.Config(max_det=4)))
    assert all(len(f) > 4 for f in full)
    assert all(c == f[:4] for c, f in zip(capped, full))
    # An explicit argument still beats the profile.
    two = list(vxfast.detect(vtest_avi, model, sample="uniform:2", streams=1, conf=0.01,
                             profile=vxfast.Config(max_det=4), max_det=2))
    assert [len(d) for d in two] == [2, 2]


# ---------------------------------------------------------------------------------- heuristics

def test_heuristics_values():
    assert heuristics.sequential_decoder_threads(1) == 0
    assert heuristics.sequential_decoder_threads(2) == 5
    assert heuristics.sequential_decoder_threads(32) == 16
    assert heuristics.decoder_threads_for_model(True, 2) == 1
    assert heuristics.decoder_threads_for_model(True, 8) is None
    assert heuristics.decoder_threads_for_model(False, 2) is None
    assert heuristics.model_streams(True, 2) == 2 and heuristics.model_streams(False, 8) == 1
    assert heuristics.model_streams(True, 1) == 1
    assert heuristics.providers_run_on_cpu(["CPUExecutionProvider"])
    assert not heuristics.providers_run_on_cpu(["CUDAExecutionProvider", "CPUExecutionProvider"])


def _decoder_threads_seen(path, threads) -> int:
    """Native threads a frame iterator starts (the decoder's frame threads)."""
    with vxfast.VideoReader(path, threads=threads) as r:
        before = len(os.listdir("/proc/self/task"))
        it = iter(r.frames())
        next(it)
        next(it)
        n = len(os.listdir("/proc/self/task")) - before
        del it
    return n


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc")
def test_threads_zero_is_ffmpegs_choice(vtest_avi):
    """threads=0 starts exactly what FFmpeg picks (cores + 1 frame threads); None starts the
    heuristic's count for iterators; n starts n."""
    cores = heuristics.cpu_cores()
    assert _decoder_threads_seen(vtest_avi, 0) == _decoder_threads_seen(vtest_avi, min(cores + 1, 16))
    ours = heuristics.sequential_decoder_threads()
    if ours > 1:
        assert _decoder_threads_seen(vtest_avi, None) == _decoder_threads_seen(vtest_avi, ours)


def test_core_is_grouped_in_area_submodules():
    import importlib
    import pickle

    import vxfast._core as core

    for area in ("simd", "decode", "geometry", "preprocess", "postprocess", "features", "pipeline", "audio_frontend"):
        sub = importlib.import_module(f"vxfast._core.{area}")
        assert getattr(core, area) is sub
    assert core.decode.ReaderCore.__module__ == "vxfast._core.decode"
    assert not hasattr(core, "ReaderCore") and not hasattr(core, "nms")  # nothing left flat
    g = vxfast.LetterboxInfo(0.5, 0.5, 0.0, 140.0, 1280, 720)
    assert pickle.loads(pickle.dumps(g)) == g  # pickled by its submodule's name
