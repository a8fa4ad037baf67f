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


@pytest.mark.parametrize("level", LEVELS)
@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), seed=st.integers(0, 2**32 - 1), base=st.sampled_from([1, 10]),
       mul=st.sampled_from([1.0, 10.0, -2.5]), floor=st.sampled_from([0.0, 1e-10, 1.1920929e-07]),
       offset=st.sampled_from([0.0, 0.001]), exp_range=st.integers(1, 38))
def test_log_simd_equals_scalar(level, n, seed, base, mul, floor, offset, exp_range):
    rng = np.random.default_rng(seed)
    v = (rng.random(n) * 10.0 ** rng.integers(-exp_range, exp_range + 1, n)).astype(np.float32)
    if n > 3:  # zeros and subnormals take the reference path
        v[rng.integers(0, n, 3)] = np.array([0.0, 1e-42, 3e-39], np.float32)
    ref, ref_max = fe.log_apply(v, base, mul, floor, offset, "scalar")
    x = (np.maximum(v, np.float32(floor)) + np.float32(offset)).astype(np.float64)  # float32 sums, as the kernels
    with np.errstate(divide="ignore"):
        exact = mul * (np.log10(x) if base == 10 else np.log(x))
    assert np.allclose(ref, exact, rtol=3e-7, atol=0)
    got, got_max = fe.log_apply(v, base, mul, floor, offset, level)
    # 3 ulp of the result (kernels.h, LogFn; the C++ test sweeps every 251st float)
    with np.errstate(invalid="ignore"):  # -inf - -inf where a zero met a zero floor (equal anyway)
        assert np.all((got == ref) | (np.abs(got - ref) <= 3 * np.spacing(np.abs(ref)) + 2 * np.spacing(np.abs(exact))))
    if n:
        assert got_max == got.max()
        assert ref_max == got_max or abs(ref_max - got_max) <= 4 * np.spacing(np.float32(abs(ref_max)))
    else:
        assert got_max == ref_max == -np.inf


@pytest.mark.parametrize("level", ["scalar"] + LEVELS)
@pytest.mark.parametrize("mels_first", [False, True])
@pytest.mark.parametrize("clamp_frames", [0, 7, 100, 1000])
def test_spectrogram_clamp_and_affine(level, mels_first, clamp_frames):
    # The fused clamp (per block of frames) and (v + a) * m equal numpy over the unclamped output.
    x = np.random.default_rng(1).standard_normal(16000 * 3).astype(np.float32)
    x[16000:24000] *= 1e-4  # a quiet stretch, so the clamp bites
    mel = va.mel_filterbank(16000, 400, 80, fmax=8000)
    win = va.window_function("hann", 400)
    frames = 300
    kw = dict(pad="reflect", zero_tail=160, mel=mel, log_base=10, log_floor=1e-10, mels_first=mels_first, simd=level)
    raw = fe.spectrogram(x, win, 400, 160, -200, frames, threads=1, **kw)
    rows = raw if not mels_first else raw.T  # (frames, mels)
    want = rows.copy()
    block = clamp_frames or frames
    for s in range(0, frames, block):
        want[s:s + block] = np.maximum(rows[s:s + block], rows[s:s + block].max() - 8.0)
    want = (want + np.float32(4.0)) * np.float32(0.25)
    for threads in (1, 2, 3):
        got = fe.spectrogram(x, win, 400, 160, -200, frames, threads=threads, clamp_below_max=8.0,
                             clamp_frames=clamp_frames, out_add=4.0, out_mul=0.25, **kw)
        assert np.array_equal(got if not mels_first else got.T, want)
    no_clamp = fe.spectrogram(x, win, 400, 160, -200, frames, threads=2, out_add=4.0, out_mul=0.25, **kw)
    assert np.array_equal(no_clamp, (raw + np.float32(4.0)) * np.float32(0.25))
    with pytest.raises(ValueError, match="clamp_below_max"):
        fe.spectrogram(x, win, 400, 160, -200, frames, clamp_below_max=-1.0, **kw)


def _batch_lengths() -> st.SearchStrategy[int]:
    # n = 2 * 2^a 3^b 5^c (the batched FFT's lengths), 4..2000
    return st.builds(lambda a, b, c: 2 * 2**a * 3**b * 5**c, st.integers(0, 5), st.integers(0, 3),
                     st.integers(0, 3)).filter(lambda n: 4 <= n <= 2000)


@pytest.mark.parametrize("level", ["scalar"] + LEVELS)
@settings(max_examples=40, deadline=None)
@given(n=_batch_lengths(), seed=st.integers(0, 2**32 - 1))
def test_power_batch_matches_numpy_and_scalar(level, n, seed):
    x = np.random.default_rng(seed).standard_normal((16, n)).astype(np.float32)
    ref = (np.abs(np.fft.rfft(x.astype(np.float64), axis=1)) ** 2).T  # (n/2 + 1, 16)
    got = fe.power_batch_apply(x, level)
    assert got.shape == (n // 2 + 1, 16)
    tol = 2e-6 * np.sqrt(n) * ref.max()
    assert np.abs(got - ref).max() <= tol
    if level != "scalar":
        assert np.abs(got - fe.power_batch_apply(x, "scalar")).max() <= tol


@pytest.mark.parametrize("level", ["scalar"] + LEVELS)
@settings(max_examples=30, deadline=None)
@given(n_mels=st.integers(1, 128), n_fft=st.sampled_from([64, 400, 512]), seed=st.integers(0, 2**32 - 1))
def test_bands_batch_equals_bands(level, n_mels, n_fft, seed):
    mel = va.mel_filterbank(16000, n_fft, n_mels)
    pw = np.random.default_rng(seed).random((n_fft // 2 + 1, 16), dtype=np.float32) * 100
    ref = fe.bands_apply(mel, np.ascontiguousarray(pw.T), "scalar").T
    assert np.allclose(fe.bands_batch_apply(mel, pw, level), ref, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("remove_dc", [False, True])
@pytest.mark.parametrize("n_fft", [400, 240, 6])
@pytest.mark.parametrize("level", ["scalar"] + LEVELS)
def test_batched_spectrogram_edges(n_fft, level, remove_dc):
    # The batched path (n_fft/2 not av_tx-friendly): padded first/last tiles, a short last tile and
    # conditioning (frames assembled first) agree with the double DFT of each frame.
    x = np.random.default_rng(n_fft).standard_normal(5000).astype(np.float32)
    win = va.window_function("hann", n_fft)
    hop = max(1, n_fft // 3)
    frames = 1 + len(x) // hop
    got = fe.spectrogram(x, win, n_fft, hop, -(n_fft // 2), frames, pad="reflect", simd=level, threads=1,
                         remove_dc=remove_dc)
    xp = np.pad(x.astype(np.float64), n_fft // 2, mode="reflect")
    idx = np.arange(frames)[:, None] * hop + np.arange(n_fft)[None, :]
    fr = xp[idx] - xp[idx].mean(axis=1, keepdims=True) if remove_dc else xp[idx]
    ref = np.abs(np.fft.rfft(fr * win, axis=1)) ** 2
    assert np.abs(got - ref).max() <= 2e-6 * np.sqrt(n_fft) * ref.max()
