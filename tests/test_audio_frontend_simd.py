"""The front-end kernels: each SIMD level against the scalar reference, the FFT against the
double-precision DFT (hypothesis over sizes and values)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
import vxfast.audio as va
from vxfast import _core

fe = _core.audio_frontend
LEVELS = [lv for lv in ("avx2", "avx512") if lv in vxfast.simd_info()["runnable"]]


@pytest.mark.parametrize("level", LEVELS)
@settings(max_examples=40, deadline=None)
@given(n_mels=st.integers(1, 128), n_fft=st.sampled_from([64, 400, 512, 1024]), frames=st.integers(1, 5),
       seed=st.integers(0, 2**32 - 1), scale=st.sampled_from(["slaney", "htk", "kaldi"]))
def test_bands_simd_equals_scalar(level, n_mels, n_fft, frames, seed, scale):
    mel = va.mel_filterbank(16000, n_fft, n_mels, mel_scale=scale, norm=None if scale == "kaldi" else "slaney")
    spec = np.random.default_rng(seed).random((frames, n_fft // 2 + 1), dtype=np.float32) * 100
    ref = fe.bands_apply(mel, spec, "scalar")
    dense = spec.astype(np.float64) @ mel.T.astype(np.float64)
    assert np.allclose(ref, dense, rtol=1e-5, atol=1e-4)
    assert np.allclose(fe.bands_apply(mel, spec, level), ref, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("level", LEVELS)
@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 600), seed=st.integers(0, 2**32 - 1))
def test_power_simd_equals_scalar(level, n, seed):
    X = np.random.default_rng(seed).standard_normal(2 * n).astype(np.float32)
    ref = fe.power_apply(X, "scalar")
    assert np.allclose(ref, X[0::2] ** 2 + X[1::2] ** 2, rtol=1e-6)
    assert np.allclose(fe.power_apply(X, level), ref, rtol=1e-6, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(half=st.integers(1, 600), seed=st.integers(0, 2**32 - 1))
def test_rfft_matches_reference_dft(half, seed):
    n = 2 * half
    x = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    ref = fe.reference_rfft(x)
    got = fe.rfft(x)
    assert got.shape == ref.shape == (half + 1,)
    assert np.abs(got - ref).max() <= 1e-5 * np.sqrt(n) * np.abs(x).max() * 4


@pytest.mark.parametrize("n", [400, 512, 1024, 480, 320])
def test_rfft_model_sizes(n):
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    assert np.abs(fe.rfft(x) - np.fft.rfft(x.astype(np.float64))).max() <= 2e-5 * np.sqrt(n)


@pytest.mark.parametrize("level", LEVELS)
def test_spectrogram_levels_agree(level):
    x = np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    mel = va.mel_filterbank(16000, 400, 80, fmax=8000)
    win = va.window_function("hann", 400)
    args = (x, win, 400, 160, -200, 100)
    a = fe.spectrogram(*args, pad="reflect", mel=mel, simd="scalar")
    b = fe.spectrogram(*args, pad="reflect", mel=mel, simd=level)
    assert np.allclose(a, b, rtol=1e-5, atol=1e-6)


def test_simd_info_lists_audio_frontend():
    info = vxfast.simd_info()
    assert info["areas"]["audio_frontend"] in ("scalar", "avx2", "avx512")
    assert fe.kernel_level("scalar") == "scalar"
