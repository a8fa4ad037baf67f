"""One SIMD level for every area (cpp/common/simd.h): VXFAST_SIMD, simd_info, set_simd_level.

VXFAST_SIMD is read once per process, so each environment runs in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import vxfast
from vxfast import _core, features

INFO = vxfast.simd_info()
CPU = INFO["cpu"]
AREAS = ("preprocess", "postprocess", "features", "audio_frontend", "audio_resample")
# A level this machine cannot run, to check lowering: NEON on x86, AVX-512 elsewhere.
UNSUPPORTED = "neon" if CPU != "neon" else "avx512"
VALID = "valid values: scalar, neon, avx2, avx512, native"


def expected_areas(level: str) -> dict:
    """What each area runs for a library level: postprocess has no NEON kernels, features' scalar
    is its portable row pass (it serves neon too)."""
    return {"preprocess": level,
            "postprocess": "scalar" if level == "neon" else level,
            "features": "scalar" if level == "neon" else level,
            "audio_frontend": "scalar" if level == "neon" else level,
            "audio_resample": "scalar" if level == "neon" else level}


def run(code: str, simd: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("VXFAST_SIMD", None)
    if simd is not None:
        env["VXFAST_SIMD"] = simd
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


# Each area's own entry point, run in the subprocess; prints one JSON object.
AREA_CALLS = r"""
import json, sys, warnings
import numpy as np
warnings.simplefilter("always")
import vxfast
from vxfast import _core, features
import vxfast.audio as audio
pre = sys.modules["vxfast.preprocessing"]
post = sys.modules["vxfast.postprocess"]
img = np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3)
boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], np.float32)
scores = np.array([0.9, 0.8, 0.7], np.float32)
calls = {
    "simd_info": lambda: vxfast.simd_info()["level"],
    "preprocess": lambda: (vxfast.letterbox(img, 32), pre.simd_level())[1],
    "postprocess": lambda: (vxfast.nms(boxes, scores, 0.5), post.simd_level())[1],
    "features": lambda: (features.compute(np.ascontiguousarray(img[..., 0])), features.simd_level())[1],
    "audio_frontend": lambda: (audio.log_mel(np.zeros(800, np.float32)), _core.audio_frontend.kernel_level())[1],
    "audio_resample": lambda: _core.audio.resample_level(),
}
out = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for name, fn in calls.items():
        try:
            out[name] = ["ok", fn()]
        except ValueError as e:
            out[name] = ["ValueError", str(e)]
out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
try:
    out["info"] = vxfast.simd_info()
except ValueError:
    out["info"] = None
print(json.dumps(out))
"""


def area_report(simd: str | None) -> dict:
    p = run(AREA_CALLS, simd)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.mark.parametrize("simd", [None, "native", "scalar", "avx2", "avx512", "neon"])
def test_every_area_reports_the_same_level(simd):
    if simd in ("avx2", "avx512", "neon") and simd not in INFO["runnable"]:
        pytest.skip(f"this CPU cannot run {simd} (lowering is tested below)")
    level = CPU if simd in (None, "native") else simd
    r = area_report(simd)
    want = expected_areas(level)
    assert r["simd_info"] == ["ok", level]
    for area in AREAS:
        assert r[area] == ["ok", want[area]], area
    assert r["info"]["areas"] == want
    assert r["info"]["requested"] == simd
    assert r["info"]["cpu"] == CPU
    assert r["warnings"] == []


def test_unknown_value_is_one_clear_error_everywhere():
    r = area_report("sse9")
    errors = {name: r[name] for name in ("simd_info", *AREAS)}
    kinds = {v[0] for v in errors.values()}
    messages = {v[1] for v in errors.values()}
    assert kinds == {"ValueError"}, errors
    assert len(messages) == 1, errors  # the same words from every area
    (msg,) = messages
    assert "VXFAST_SIMD" in msg and "'sse9'" in msg and VALID in msg


def test_import_is_silent_even_with_a_bad_value():
    for simd in ("sse9", UNSUPPORTED):
        p = run("import vxfast, vxfast.features", simd)
        assert p.returncode == 0 and p.stdout == "" and p.stderr == "", (simd, p.stderr)


def test_unsupported_level_is_lowered_everywhere_with_one_warning():
    r = area_report(UNSUPPORTED)
    lowered = "scalar" if UNSUPPORTED == "neon" or "avx2" not in INFO["runnable"] else "avx2"
    want = expected_areas(lowered)
    assert r["simd_info"] == ["ok", lowered]
    for area in AREAS:
        assert r[area] == ["ok", want[area]], area
    assert len(r["warnings"]) == 1, r["warnings"]
    (w,) = r["warnings"]
    assert w.startswith("RuntimeWarning:") and f"'{UNSUPPORTED}'" in w and f"'{lowered}'" in w
    assert r["info"]["requested"] == UNSUPPORTED and r["info"]["level"] == lowered


@pytest.fixture
def native_after():
    yield
    vxfast.set_simd_level("native")


def kernel_results():
    """One result per area from its default (dispatched) path."""
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (97, 131, 3), np.uint8)
    tensor, _ = vxfast.letterbox(img, 64)
    xy = rng.uniform(0, 500, (400, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(1, 80, (400, 2)).astype(np.float32)], 1)
    keep = vxfast.nms(boxes, rng.random(400).astype(np.float32), 0.4)
    y = rng.integers(0, 256, (120, 200), np.uint8)
    return tensor, keep, features.compute(y), y


@pytest.mark.parametrize("level", INFO["runnable"])
def test_set_simd_level_reaches_every_area(level, native_after):
    vxfast.set_simd_level("scalar")
    ref_tensor, ref_keep, _, y = kernel_results()
    ref_features = features.compute(y, simd="reference")
    vxfast.set_simd_level(level)
    info = vxfast.simd_info()
    assert info["level"] == level and info["areas"] == expected_areas(level)
    tensor, keep, feats, _ = kernel_results()
    np.testing.assert_allclose(tensor, ref_tensor, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(keep, ref_keep)
    for k, v in ref_features.items():
        assert feats[k] == pytest.approx(v, rel=1e-5, abs=1e-6), k
    vxfast.set_simd_level("native")
    assert vxfast.simd_info()["level"] == INFO["level"]


def test_set_simd_level_lowers_with_one_warning(native_after):
    with pytest.warns(RuntimeWarning, match=f"'{UNSUPPORTED}'") as caught:
        vxfast.set_simd_level(UNSUPPORTED)
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
    info = vxfast.simd_info()
    assert info["level"] != UNSUPPORTED and info["level"] in INFO["runnable"]
    assert info["areas"] == expected_areas(info["level"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing more once reported
        kernel_results()
        vxfast.simd_info()


def test_set_simd_level_rejects_unknown_names(native_after):
    with pytest.raises(ValueError, match=f"unknown SIMD level 'sse9'; {VALID}"):
        vxfast.set_simd_level("sse9")
    with pytest.raises(ValueError, match="unknown SIMD level 'auto'"):
        vxfast.set_simd_level("auto")


def test_explicit_kernel_arguments_are_never_lowered():
    """Tests ask kernels by name: an unsupported one is an error, not a silent other kernel."""
    boxes = np.array([[0, 0, 1, 1]], np.float32)
    with pytest.raises(ValueError, match="not supported by this CPU"):
        _core.postprocess.nms(boxes, np.ones(1, np.float32), 0.5, None, -1, simd=UNSUPPORTED)
    with pytest.raises(ValueError, match="not supported by this CPU"):
        features.compute(np.zeros((8, 8), np.uint8), simd=UNSUPPORTED)
    with pytest.raises(ValueError, match=VALID):
        features.compute(np.zeros((8, 8), np.uint8), simd="baseline")


def test_exported():
    assert vxfast.simd_info is vxfast.simd.simd_info
    assert vxfast.set_simd_level is vxfast.simd.set_simd_level
    assert set(INFO) == {"cpu", "requested", "level", "areas", "runnable", "avx512vbmi"}
    assert INFO["cpu"] in INFO["runnable"] and INFO["runnable"][0] == "scalar"
