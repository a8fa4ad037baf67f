"""vxfast's own resampling kernel (cpp/audio/polyphase_resampler.*): libswresample's default filter and
downmix, learned from libswresample, run by vxfast's SIMD kernels.

References: PyAV's AudioResampler (libswresample) on the same decoded samples, whole streams
including both ends and the output count; the scalar kernel for the SIMD ones (hypothesis); a float64
dot product with the learned weights for the scalar kernel.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from audio_helpers import pyav_resampled
from vxfast import _core

_audio = _core.audio
RATES = [8000, 11025, 22050, 32000, 44100, 48000, 96000]


def _levels() -> list[str]:
    return [lv for lv in ("scalar", "avx2", "avx512") if lv in vxfast.simd_info()["runnable"]]


def _window_start(f: dict, m: np.ndarray) -> np.ndarray:
    return m // f["Q"] * f["P"] + (m % f["Q"]) * f["P"] // f["Q"] + f["offset"]


@pytest.mark.parametrize("rate", RATES + [16000 * 3 // 2])
def test_learned_filter_is_a_normalised_lowpass(rate):
    f = _audio._swr_filter(rate, 16000)
    w = f["weights"]
    assert w.shape == (f["Q"], f["taps"]) and f["P"] * 16000 == f["Q"] * rate
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=2e-3)  # DC passes
    assert f["offset"] < 0 < f["offset"] + f["taps"]  # centred on the output's position


def test_no_filter_when_rates_equal_or_phases_inexact():
    assert _audio._swr_filter(16000, 16000) is None
    assert _audio._swr_filter(44056, 16000) is None  # 2000 phases: libswresample is not exact there


@pytest.mark.parametrize("rate", [44100, 22050, 8000])
def test_scalar_kernel_is_the_dot_product(rate):
    f = _audio._swr_filter(rate, 16000)
    x = np.random.default_rng(rate).standard_normal(20000).astype(np.float32)
    m0 = int(np.nonzero(_window_start(f, np.arange(200)) >= 0)[0][0])
    n = 500
    got = _audio._resample_kernel(rate, 16000, x, m0, n, "scalar")
    m = np.arange(m0, m0 + n)
    idx = _window_start(f, m)[:, None] + np.arange(f["taps"])
    ref = (f["weights"][m % f["Q"]].astype(np.float64) * x[idx]).sum(axis=1)
    assert np.abs(got - ref).max() <= 1e-5


@settings(max_examples=60, deadline=None)
@given(rate=st.sampled_from(RATES + [16000 * 5 // 4]), out=st.sampled_from([16000, 44100, 48000]),
       n=st.integers(0, 300), skip=st.integers(0, 500), scale=st.sampled_from([1e-3, 1.0, 3e4]),
       seed=st.integers(0, 2**31 - 1))
def test_simd_kernels_match_scalar(rate, out, n, skip, scale, seed):
    f = _audio._swr_filter(rate, out)
    if f is None:
        return
    x = (np.random.default_rng(seed).standard_normal(8192) * scale).astype(np.float32)
    m = np.arange(4096)
    ok = np.nonzero(_window_start(f, m) >= 0)[0]
    m0 = int(ok[0]) + skip
    last = int(np.nonzero(_window_start(f, m) + f["taps"] <= len(x))[0][-1])
    n = max(0, min(n, last - m0 + 1))
    ref = _audio._resample_kernel(rate, out, x, m0, n, "scalar")
    for level in _levels():
        got = _audio._resample_kernel(rate, out, x, m0, n, level)
        assert got.shape == ref.shape
        assert np.abs(got - ref).max(initial=0) <= 2e-6 * scale * 4


def test_kernel_rejects_windows_outside_the_input():
    with pytest.raises(ValueError, match="outside x"):
        _audio._resample_kernel(44100, 16000, np.zeros(100, np.float32), 0, 10, "scalar")


# -- whole streams against PyAV's libswresample -------------------------------------------------------
@pytest.fixture(scope="module")
def noise_wav(make_video):
    """Mono float WAV (white noise, the hardest input for a low-pass) at several rates."""
    def make(rate: int, seconds: float) -> object:
        return make_video(f"noise_{rate}_{seconds}.wav", "-c:a", "pcm_f32le", "-ac", "1",
                          input_args=("-f", "lavfi", "-i", f"anoisesrc=r={rate}:a=0.5:d={seconds}:seed=7"))
    return make


@pytest.mark.parametrize("rate", RATES)
def test_mono_float_streams_match_libswresample(noise_wav, rate):
    path = noise_wav(rate, 3.0)
    ref = pyav_resampled(path, 16000, "mono")[0]
    with vxfast.AudioReader(path) as r:
        x = r.read()
        assert r.resampler.startswith("vxfast-")
    assert x.shape == ref.shape
    assert np.abs(x - ref).max() <= 1e-6


@pytest.mark.parametrize("seconds", [0.0005, 0.002, 0.01, 0.1])
def test_short_streams_match_libswresample(noise_wav, seconds):
    """Fewer input samples than the filter reaches: the start mirror and libswresample's own end."""
    path = noise_wav(44100, seconds)
    ref = pyav_resampled(path, 16000, "mono")[0]
    with vxfast.AudioReader(path) as r:
        x = r.read()
    assert x.shape == ref.shape
    assert np.abs(x - ref).max(initial=0) <= 1e-6


@pytest.mark.parametrize("codec,rate,channels,out_rate,out_ch", [
    ("aac", 44100, 2, 16000, 1), ("aac", 48000, 1, 16000, 1), ("aac", 22050, 2, 16000, 2),
    ("libmp3lame", 32000, 2, 16000, 1), ("libvorbis", 44100, 2, 48000, 1), ("aac", 16000, 2, 44100, 1)])
def test_planar_codecs_match_libswresample(make_video, codec, rate, channels, out_rate, out_ch):
    ext = {"aac": "m4a", "libmp3lame": "mp3", "libvorbis": "ogg"}[codec]
    path = make_video(f"rs_{codec}_{rate}_{channels}.{ext}", "-c:a", codec, "-ar", str(rate), "-ac", str(channels),
                      input_args=("-f", "lavfi", "-i", "anoisesrc=r=48000:a=0.3:d=4:seed=3"))
    ref = pyav_resampled(path, out_rate, "mono" if out_ch == 1 else "stereo")
    with vxfast.AudioReader(path, sample_rate=out_rate, channels=out_ch) as r:
        x = r.read()
        assert r.resampler.startswith("vxfast-")
    x = x[None] if out_ch == 1 else x
    assert x.shape == ref.shape
    assert np.abs(x - ref).max() <= 1e-6


def test_other_conversions_stay_with_libswresample(make_video):
    path = make_video("rs_s16.wav", "-c:a", "pcm_s16le", "-ar", "44100", "-ac", "2",
                      input_args=("-f", "lavfi", "-i", "anoisesrc=r=44100:a=0.3:d=1:seed=3"))
    with vxfast.AudioReader(path) as r:
        assert r.resampler == "none"
        r.read()
        assert r.resampler == "libswresample"


def test_every_simd_level_matches_libswresample(make_video):
    path = make_video("rs_levels.m4a", "-c:a", "aac", "-ar", "44100", "-ac", "2",
                      input_args=("-f", "lavfi", "-i", "anoisesrc=r=44100:a=0.3:d=2:seed=5"))
    ref = pyav_resampled(path, 16000, "mono")[0]
    try:
        for level in _levels():
            vxfast.set_simd_level(level)
            with vxfast.AudioReader(path) as r:
                x = r.read()
                assert r.resampler == f"vxfast-{level}"
            assert x.shape == ref.shape and np.abs(x - ref).max() <= 1e-6
    finally:
        vxfast.set_simd_level("native")


def test_chunks_and_seeks_equal_one_read(make_video):
    # Tones: on noise the AAC encoder codes bands as PNS, whose decoder noise differs after a seek.
    path = make_video("rs_seek.m4a", "-c:a", "aac", "-ar", "44100", "-ac", "2", input_args=(
        "-f", "lavfi", "-i", "aevalsrc='0.4*sin(2*PI*440*t)+0.2*sin(2*PI*3000*t)|0.3*sin(2*PI*1250*t)':s=44100:d=8"))
    with vxfast.AudioReader(path) as r:
        full = r.read()
        pieces = np.concatenate([c.samples for c in r.chunks(0.37)])
        assert np.array_equal(pieces, full)
        part = r.read(5.0, 6.0)
    k0 = int(np.ceil(5.0 * 16000 - 1e-6))
    assert np.abs(part - full[k0:k0 + len(part)]).max() <= 1e-4  # AAC PNS noise after a seek


@settings(max_examples=40, deadline=None)
@given(rate=st.sampled_from([44100, 22050, 48000, 11025]), cuts=st.lists(st.integers(1, 5000), min_size=1, max_size=5),
       seed=st.integers(0, 2**31 - 1))
def test_an_output_does_not_depend_on_the_call_range(rate, cuts, seed):
    """The decode workers and the reading cursor resample different pieces of one stream: every
    level must give each output the same bits whichever call computes it."""
    f = _audio._swr_filter(rate, 16000)
    x = (np.random.default_rng(seed).standard_normal(30000) * 0.3).astype(np.float32)
    m = np.arange(20000)
    first = int(np.nonzero(_window_start(f, m) >= 0)[0][0])
    last = int(np.nonzero(_window_start(f, m) + f["taps"] <= len(x))[0][-1])
    bounds = sorted({first, last + 1, *[min(last + 1, first + c) for c in np.cumsum(cuts)]})
    for level in _levels():
        whole = _audio._resample_kernel(rate, 16000, x, first, last + 1 - first, level)
        parts = np.concatenate([_audio._resample_kernel(rate, 16000, x, a, b - a, level)
                                for a, b in zip(bounds[:-1], bounds[1:])])
        assert np.array_equal(whole, parts), level
