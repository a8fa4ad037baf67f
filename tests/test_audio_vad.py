"""vxfast.audio.vad against the silero-vad package's get_speech_timestamps on the same audio and model."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
import vxfast.audio as A
from speech_media import conversation, mux_into_video, write_wav
from vxfast.shared_data import shared_path

torch = pytest.importorskip("torch")
silero_utils = pytest.importorskip("silero_vad.utils_vad")

MODEL = shared_path("models/silero_vad.onnx")


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    d = tmp_path_factory.mktemp("speech")
    x, script = conversation(d, [("A", 0), ("B", 1), ("A", 2), ("B", 3), ("C", 4)],
                             [0.8, 0.5, 1.2, 0.3])
    return x, script, d


@pytest.fixture(scope="module")
def vad_model():
    return A.VadModel(MODEL)


def reference(x, rate=16000, **kw):
    wrapper = silero_utils.OnnxWrapper(str(MODEL), force_onnx_cpu=True)
    return [(s["start"], s["end"]) for s in
            silero_utils.get_speech_timestamps(torch.from_numpy(x), wrapper, sampling_rate=rate, **kw)]


def assert_close(ours, ref, rate, tol_s=0.030):
    assert len(ours) == len(ref), (ours, ref)
    for (a, b), (ra, rb) in zip(ours, ref):
        assert abs(a - ra / rate) <= tol_s and abs(b - rb / rate) <= tol_s, ((a, b), (ra, rb))


def test_vad_matches_silero_package(speech, vad_model):
    x, script, _ = speech
    ours = A.vad(x, vad_model)
    ref = reference(x)
    assert len(ref) >= len(script)  # espeak's pauses inside sentences may split a few
    assert_close(ours, ref, 16000)
    # every scripted utterance is covered by speech
    for s, e, _who in script:
        covered = sum(max(0.0, min(e, b) - max(s, a)) for a, b in ours)
        assert covered > 0.8 * (e - s)


@pytest.mark.parametrize("kw,ref_kw", [
    (dict(threshold=0.6, min_silence_ms=300, speech_pad_ms=60),
     dict(threshold=0.6, min_silence_duration_ms=300, speech_pad_ms=60)),
    (dict(max_speech_s=2.0, min_speech_ms=100), dict(max_speech_duration_s=2.0, min_speech_duration_ms=100)),
])
def test_vad_options_match_package(speech, vad_model, kw, ref_kw):
    x, _, _ = speech
    assert_close(A.vad(x, vad_model, **kw), reference(x, **ref_kw), 16000)


def test_split_run_equals_sequential(speech, vad_model):
    x, _, _ = speech
    seq = A.speech_probabilities(x, 16000, vad_model, mode="sequential")
    split = A.speech_probabilities(x, 16000, vad_model, mode="split")
    assert split.shape == seq.shape == (math.ceil(len(x) / 512),)
    assert np.abs(split - seq).max() < 1e-5
    assert A.vad(x, vad_model, mode="sequential") == A.vad(x, vad_model, mode="split")


def test_chunked_mode_first_chunk_is_sequential(speech, vad_model):
    x, _, _ = speech
    seq = A.speech_probabilities(x, 16000, vad_model, mode="sequential")
    ch = A.speech_probabilities(x, 16000, vad_model, mode="chunked", batch=4, overlap=32)
    per = math.ceil(len(seq) / 4)
    assert ch.shape == seq.shape
    assert np.abs(ch[:per] - seq[:per]).max() < 1e-5  # chunk 0 starts where the reference does
    assert np.median(np.abs(ch - seq)) < 0.05


@pytest.mark.parametrize("rate", [8000, 48000])
def test_other_rates_match_package(speech, vad_model, rate):
    x16, _, _ = speech
    if rate == 8000:
        x = np.ascontiguousarray(x16[::2])
    else:  # 48 kHz: the reference decimates by 3; give it the same samples
        x = np.repeat(x16, 3).astype(np.float32)
    with pytest.warns(UserWarning) if rate == 48000 else _nothing():
        ref = reference(x, rate)
    assert_close(A.vad(x, vad_model, sample_rate=rate), ref, rate)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_segment_unpacks_and_times_are_seconds(speech, vad_model):
    x, _, _ = speech
    segs = A.vad(x, vad_model)
    start, end = segs[0]
    assert isinstance(segs[0], A.Segment) and start == segs[0].start and end == segs[0].end
    assert 0 <= start < end <= len(x) / 16000
    assert all(a.end <= b.start for a, b in zip(segs, segs[1:]))


def test_silence_and_empty(vad_model):
    assert A.vad(np.zeros(0, np.float32), vad_model) == []
    assert A.vad(np.zeros(48000, np.float32), vad_model) == []
    assert A.vad(np.zeros(48000, np.int16), vad_model) == []  # integer PCM accepted


def test_bad_arguments(vad_model, models_dir, tmp_path):
    x = np.zeros(16000, np.float32)
    with pytest.raises(ValueError, match="mono"):
        A.vad(np.zeros((2, 16000), np.float32), vad_model)
    with pytest.raises(ValueError, match="sample_rate"):
        A.vad(x, vad_model, sample_rate=22050)
    with pytest.raises(ValueError, match="neg_threshold"):
        A.vad(x, vad_model, threshold=0.5, neg_threshold=0.7)
    with pytest.raises(ValueError, match="threshold"):
        A.vad(x, vad_model, threshold=1.5)
    with pytest.raises(ValueError, match="mode"):
        A.vad(x, vad_model, mode="fast")
    with pytest.raises(ValueError, match="NaN"):
        A.vad(np.full(1000, np.nan, np.float32), vad_model)
    with pytest.raises(ValueError, match="source"):
        A.vad([0.0] * 100, vad_model)
    with pytest.raises(vxfast.ModelError, match="no such file"):
        A.VadModel(tmp_path / "missing.onnx")
    with pytest.raises(vxfast.ModelError, match="inputs"):
        A.VadModel(models_dir / "yolov8n.onnx")


_probs = st.lists(st.one_of(st.floats(0, 1, width=32), st.sampled_from([0.0, 0.2, 0.36, 0.49, 0.5, 0.51, 0.9])),
                  min_size=0, max_size=400)


@settings(max_examples=300, deadline=None)
@given(probs=_probs, rate=st.sampled_from([8000, 16000]), threshold=st.sampled_from([0.3, 0.5, 0.7]),
       min_speech=st.sampled_from([0, 50, 250]), min_silence=st.sampled_from([0, 30, 100, 400]),
       pad=st.sampled_from([0, 30, 100]), max_speech=st.sampled_from([math.inf, 0.5, 1.3, 3.0]),
       use_max=st.booleans(), extra=st.integers(0, 511))
def test_segments_from_probabilities_equal_package(probs, rate, threshold, min_speech, min_silence, pad,
                                                   max_speech, use_max, extra):
    # runs of equal values make the hysteresis cross thresholds in every way
    p = np.repeat(np.asarray(probs, np.float32), 3)
    w = 512 if rate == 16000 else 256
    n = max(0, len(p) * w - (extra % w))
    ref = silero_utils.get_speech_timestamps_from_probs(
        p.tolist(), sampling_rate=rate, threshold=threshold, min_speech_duration_ms=min_speech,
        max_speech_duration_s=max_speech, min_silence_duration_ms=min_silence, speech_pad_ms=pad,
        use_max_poss_sil_at_max_speech=use_max, audio_length_samples=n)
    ours = A.segments_from_probabilities(
        p, rate, n, threshold=threshold, min_speech_ms=min_speech, min_silence_ms=min_silence,
        speech_pad_ms=pad, max_speech_s=max_speech, use_max_silence_at_max_speech=use_max)
    assert ours == [(s["start"], s["end"]) for s in ref]


def test_path_and_reader_inputs(speech, vad_model):
    x, script, d = speech
    video = mux_into_video(write_wav(d / "speech.wav", x), d / "speech.mp4")
    from_path = A.vad(video, vad_model)
    with A.AudioReader(video) as r:
        decoded, t0 = r.read(), r.info.start_time
        assert A.vad(r, vad_model) == from_path
    # same rules as the package on the decoded samples, times on the reader's clock
    ref = reference(decoded)
    assert_close([(a - t0, b - t0) for a, b in from_path], ref, 16000)
    for s, e, _who in script:  # and the speech is where the script put it (AAC delay is compensated)
        covered = sum(max(0.0, min(e, b) - max(s, a)) for a, b in from_path)
        assert covered > 0.8 * (e - s)


def test_streamed_file_equals_array_run(speech, vad_model, monkeypatch):
    from vxfast.audio import voice_activity
    x, _, d = speech
    video = mux_into_video(write_wav(d / "speech2.wav", x), d / "speech2.mp4")
    with A.AudioReader(video) as r:
        decoded, t0 = r.read(), r.info.start_time
    want = [(a + t0, b + t0) for a, b in A.vad(decoded, vad_model)]
    monkeypatch.setattr(voice_activity, "_STREAM_BLOCK_WINDOWS", 100)  # many chunks, state carried
    got = A.vad(video, vad_model)
    assert len(got) == len(want)
    assert all(abs(a - c) < 1e-6 and abs(b - e) < 1e-6 for (a, b), (c, e) in zip(got, want))
