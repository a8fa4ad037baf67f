"""vxfast.audio front-ends against their references on the same samples: faster-whisper's
FeatureExtractor, kaldi-native-fbank, librosa, transformers' ClapFeatureExtractor and a numpy
transcription of YAMNet's features.py (tests/yamnet_reference.py)."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from tests.yamnet_reference import log_mel_patches

import vxfast.audio as va


def _speech(tmp_path_factory, rate: int, seconds: float, seed: int) -> np.ndarray:
    """espeak-ng speech resampled by ffmpeg, tiled to `seconds`, plus quiet noise (fixed seed)."""
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("espeak-ng and ffmpeg are needed for the speech fixture")
    d = tmp_path_factory.mktemp("speech")
    wav, raw = d / "s.wav", d / "s.f32"
    subprocess.run(["espeak-ng", "-w", str(wav), "The quick brown fox jumps over the lazy dog. "
                    "Audio front ends must match their references."], check=True)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav), "-ar", str(rate),
                    "-ac", "1", "-f", "f32le", str(raw)], check=True)
    s = np.fromfile(raw, np.float32)
    n = int(seconds * rate)
    s = np.tile(s, n // len(s) + 1)[:n]
    return (s + 0.003 * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


@pytest.fixture(scope="module")
def speech16(tmp_path_factory) -> np.ndarray:
    return _speech(tmp_path_factory, 16000, 7.3, 1)


@pytest.fixture(scope="module")
def speech48(tmp_path_factory) -> np.ndarray:
    return _speech(tmp_path_factory, 48000, 4.2, 2)


# ---- Whisper -------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_mels", [80, 128])
def test_whisper_log_mel_matches_faster_whisper(speech16, n_mels):
    from faster_whisper.feature_extractor import FeatureExtractor
    ref = FeatureExtractor(feature_size=n_mels)(speech16)
    got = va.log_mel(speech16, n_mels=n_mels)
    assert got.shape == ref.shape and got.dtype == np.float32
    assert np.abs(got - ref).max() <= 1e-4


@pytest.mark.parametrize("n", [1, 150, 401, 16000 * 30])
def test_whisper_log_mel_lengths(n):
    from faster_whisper.feature_extractor import FeatureExtractor
    x = (0.1 * np.random.default_rng(n).standard_normal(n)).astype(np.float32)
    ref = FeatureExtractor()(x)
    got = va.log_mel(x)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-4


def test_whisper_clamp_window(speech16):
    from faster_whisper.feature_extractor import FeatureExtractor
    fe = FeatureExtractor()
    x = np.concatenate([speech16 * 0.01] * 5)  # 36.5 s: two 30-s windows, quiet enough to clamp
    x[16000 * 31:] *= 50.0
    got = va.log_mel(x, clamp="window")
    # The reference's own STFT and filters, clamped per 3000-frame window.
    win = np.hanning(401)[:-1].astype(np.float32)
    stft = fe.stft(np.pad(x, (0, 160)), 400, 160, window=win, return_complex=True).astype(np.complex64)
    ls = np.log10(np.clip(fe.mel_filters @ (np.abs(stft[..., :-1]) ** 2), 1e-10, None))
    for s in range(0, ls.shape[1], 3000):
        ls[:, s:s + 3000] = np.maximum(ls[:, s:s + 3000], ls[:, s:s + 3000].max() - 8.0)
    ref = (ls + 4.0) / 4.0
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-4
    assert np.abs(got - va.log_mel(x, clamp="file")).max() > 0.1  # the second window clamps differently


def test_pad_or_trim():
    x = np.arange(10, dtype=np.float32)
    assert va.pad_or_trim(x, seconds=1.0, sample_rate=4).tolist() == [0, 1, 2, 3]
    p = va.pad_or_trim(x, seconds=1.0, sample_rate=16)
    assert p.shape == (16,) and p[:10].tolist() == x.tolist() and not p[10:].any()
    assert va.pad_or_trim(np.zeros((2, 5)), 1.0, 8).shape == (2, 8)
    assert va.pad_or_trim(np.ones(16000 * 31)).shape == (480000,)


# ---- Kaldi fbank ---------------------------------------------------------------------------------

def _knf(x: np.ndarray, window: str, snip_edges: bool = True, bins: int = 80, sr: int = 16000) -> np.ndarray:
    import kaldi_native_fbank as knf
    o = knf.FbankOptions()
    o.frame_opts.dither = 0.0
    o.frame_opts.window_type = window
    o.frame_opts.snip_edges = snip_edges
    o.frame_opts.samp_freq = sr
    o.mel_opts.num_bins = bins
    f = knf.OnlineFbank(o)
    f.accept_waveform(sr, x.tolist())
    f.input_finished()
    return np.stack([f.get_frame(i) for i in range(f.num_frames_ready)])


@pytest.mark.parametrize("window,snip", [("povey", True), ("hamming", True), ("povey", False), ("hanning", True)])
def test_fbank_matches_kaldi_native_fbank(speech16, window, snip):
    x = speech16[: 16000 * 3]
    ref = _knf(x * 32768.0, window, snip)
    got = va.fbank(x, scale=32768, window="hann" if window == "hanning" else window, snip_edges=snip)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-3


def test_fbank_bins_and_cmn(speech16):
    x = speech16[: 16000 * 2]
    ref = _knf(x, "povey", bins=23)
    got = va.fbank(x, num_mel_bins=23)
    assert np.abs(got - ref).max() <= 1e-3
    c = va.fbank(x, num_mel_bins=23, cmn=True)
    assert np.abs(c - (ref - ref.mean(0))).max() <= 1e-3


def test_fbank_dither_seeded_and_thread_independent(speech16):
    x = speech16[: 16000 * 6]
    a = va.fbank(x, dither=1.0, seed=7, threads=1)
    b = va.fbank(x, dither=1.0, seed=7, threads=2)
    c = va.fbank(x, dither=1.0, seed=8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.abs(a - va.fbank(x)).max() > 1e-3
    assert va.fbank(np.zeros(100, np.float32)).shape == (0, 80)


# ---- general melspectrogram vs librosa ------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(),
    dict(n_fft=400, hop_length=160, pad_mode="reflect"),
    dict(n_fft=512, win_length=400, hop_length=160, htk=True, norm=None, power=1.0),
    dict(n_fft=1024, hop_length=256, n_mels=64, fmin=50.0, fmax=7000.0, center=False),
    dict(n_fft=480, hop_length=120, window="hamming", pad_mode="edge", n_mels=40),
])
def test_melspectrogram_matches_librosa(speech16, kw):
    import librosa
    ref = librosa.feature.melspectrogram(y=speech16, sr=16000, **kw)
    k = dict(kw)
    hop = k.pop("hop_length", None)
    htk = k.pop("htk", False)
    got = va.melspectrogram(speech16, 16000, hop=hop, mel_scale="htk" if htk else "slaney", **k)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-5 * np.abs(ref).max()


def test_melspectrogram_db_and_channels(speech16):
    import librosa
    x = speech16[:20000]
    ref = librosa.power_to_db(librosa.feature.melspectrogram(y=x, sr=16000), amin=1e-10, top_db=None)
    got = va.melspectrogram(x, 16000, log="db")
    assert np.abs(got - ref).max() <= 1e-3
    st = np.stack([x, x[::-1].copy()])
    two = va.melspectrogram(st, 16000, log="db")
    assert two.shape == (2, *got.shape)
    assert np.array_equal(two[0], got)


def test_threads_do_not_change_results(speech16):
    x = np.tile(speech16, 4)
    assert np.array_equal(va.log_mel(x, threads=1), va.log_mel(x, threads=2))
    assert np.array_equal(va.melspectrogram(x, 16000, threads=1), va.melspectrogram(x, 16000, threads=3))


# ---- YAMNet ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds", [0.3, 0.975, 1.7, 5.0])
def test_yamnet_patches_match_definition(speech16, seconds):
    x = speech16[: int(seconds * 16000)]
    ref = log_mel_patches(x)
    got = va.yamnet_patches(x)
    assert got.shape == ref.shape and got.shape[1:] == (96, 64)
    assert np.abs(got - ref).max() <= 1e-4


def test_yamnet_unpadded(speech16):
    x = speech16[:15000]  # 92 frames: no whole patch without the padding
    assert va.yamnet_patches(x, pad=False).shape == log_mel_patches(x, pad=False).shape == (0, 96, 64)
    y = speech16[:40000]
    got, ref = va.yamnet_patches(y, pad=False), log_mel_patches(y, pad=False)
    assert got.shape == ref.shape == (4, 96, 64) and np.abs(got - ref).max() <= 1e-4


# ---- CLAP --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clap_fe():
    from transformers import ClapFeatureExtractor
    return ClapFeatureExtractor(frequency_min=50, frequency_max=14000)


@pytest.mark.parametrize("seconds,padding", [(4.2, "repeatpad"), (1.0, "pad"), (2.5, "repeat"), (10.0, "repeatpad")])
def test_clap_rand_trunc_matches_transformers(speech48, clap_fe, seconds, padding):
    x = np.tile(speech48, 3)[: int(seconds * 48000)]
    ref = clap_fe(x, sampling_rate=48000, truncation="rand_trunc", padding=padding,
                  return_tensors="np")["input_features"][0]
    got = va.clap_mel(x, padding=padding)
    assert got.shape == ref.shape == (1, 1001, 64)
    assert np.abs(got - ref).max() <= 1e-3


def test_clap_fusion_short_matches_transformers(speech48, clap_fe):
    ref = clap_fe(speech48, sampling_rate=48000, truncation="fusion", return_tensors="np")["input_features"][0]
    got = va.clap_mel(speech48, truncation="fusion")
    assert got.shape == ref.shape == (4, 1001, 64)
    assert np.abs(got - ref).max() <= 1e-3


def test_clap_long_inputs_seeded(speech48):
    x = np.tile(speech48, 3)  # 12.6 s
    a = va.clap_mel(x, seed=3)
    assert a.shape == (1, 1001, 64) and np.array_equal(a, va.clap_mel(x, seed=3))
    # The crop is one of the input's 10-s windows.
    idx = int(np.random.default_rng(3).integers(0, len(x) - 480000 + 1))
    assert np.array_equal(a, va.clap_mel(np.ascontiguousarray(x[idx:idx + 480000])))
    f = va.clap_mel(x, truncation="fusion", seed=3)
    assert f.shape == (4, 1001, 64)
    assert np.array_equal(f, va.clap_mel(x, truncation="fusion", seed=3))


# ---- argument checks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("call,name", [
    (lambda: va.log_mel(np.zeros(0, np.float32)), "samples"),
    (lambda: va.log_mel(np.zeros((2, 2, 2), np.float32)), "samples"),
    (lambda: va.log_mel(np.array([np.nan, 1], np.float32)), "samples"),
    (lambda: va.log_mel(np.zeros(10, np.float32), n_mels=64), "n_mels"),
    (lambda: va.log_mel(np.zeros(10, np.float32), clamp="x"), "clamp"),
    (lambda: va.log_mel(np.zeros(10, np.float32), preset="x"), "preset"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, n_fft=401), "n_fft"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, win_length=4096), "win_length"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, hop=0), "hop"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, pad_mode="wrap"), "pad_mode"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, mel_scale="bark"), "mel_scale"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, fmax=9000), "fmax"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, log="log2"), "log"),
    (lambda: va.melspectrogram(np.zeros(10), -1), "sample_rate"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, window="kaiser"), "window"),
    (lambda: va.melspectrogram(np.zeros(10), 16000, threads=-1), "threads"),
    (lambda: va.fbank(np.zeros(10), window="blackman"), "window"),
    (lambda: va.fbank(np.zeros(10), dither=-1), "dither"),
    (lambda: va.fbank(np.zeros(10), high_freq=9000), "low_freq/high_freq"),
    (lambda: va.fbank(np.zeros(10), seed=-2), "seed"),
    (lambda: va.fbank(np.zeros(10), num_mel_bins=0), "num_mel_bins"),
    (lambda: va.yamnet_patches(np.zeros(10), sample_rate=8000), "sample_rate"),
    (lambda: va.clap_mel(np.zeros(10), truncation="x"), "truncation"),
    (lambda: va.clap_mel(np.zeros((2, 10))), "samples"),
])
def test_bad_arguments_name_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
