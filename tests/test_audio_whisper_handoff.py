"""The hand-off of vxfast's audio to faster-whisper (no ASR model: its feature extractor and its
VAD chunking utilities, which transcribe() runs on what it is given)."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast.audio as A
from speech_media import conversation, mux_into_video, write_wav

fw_audio = pytest.importorskip("faster_whisper.audio")
fw_features = pytest.importorskip("faster_whisper.feature_extractor")
fw_vad = pytest.importorskip("faster_whisper.vad")


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    d = tmp_path_factory.mktemp("handoff")
    x, script = conversation(d, [("A", 0), ("B", 1), ("C", 2)], [1.0, 0.7])
    video = mux_into_video(write_wav(d / "s.wav", x), d / "s.mp4")
    return video


def test_reader_samples_are_what_faster_whisper_decodes(speech):
    with A.AudioReader(speech) as r:
        ours = r.read()
        joined = np.concatenate([c.samples for c in r.chunks(7.0)])
    theirs = fw_audio.decode_audio(str(speech), sampling_rate=16000)   # PyAV + libswresample
    assert ours.dtype == np.float32 and ours.ndim == 1 and theirs.dtype == np.float32
    assert np.array_equal(joined, ours)                 # chunks are the same samples, in pieces
    n = min(len(ours), len(theirs))
    assert abs(len(ours) - len(theirs)) <= 1024         # AAC priming/padding handled by both
    lag = int(np.argmax(np.correlate(ours[16000:16000 + 4000], theirs[16000 - 2000:16000 + 6000],
                                     mode="valid"))) - 2000
    assert abs(lag) <= 1024
    fe = fw_features.FeatureExtractor()
    f_ours, f_theirs = fe(ours), fe(theirs[:n])
    assert f_ours.shape[0] == 80 and f_ours.dtype == np.float32
    assert abs(f_ours.shape[1] - f_theirs.shape[1]) <= 7


def test_vad_segments_as_clip_timestamps_and_chunks(speech):
    with A.AudioReader(speech) as r:
        x, origin = r.read(), r.info.start_time
    segs = A.vad(speech)
    flat = A.whisper_clip_timestamps(segs, origin=origin)
    assert len(flat) == 2 * len(segs) and flat == sorted(flat) and flat[0] >= 0
    # WhisperModel.generate_segments turns these into mel-frame seek points (100 per second)
    fe = fw_features.FeatureExtractor()
    frames = fe(x).shape[1]
    seek = [round(t * fe.sampling_rate / fe.hop_length) for t in flat]
    assert all(0 <= s <= frames for s in seek)
    # BatchedInferencePipeline takes seconds dicts; collect_chunks / SpeechTimestampsMap samples
    secs = A.whisper_speech_chunks(segs, origin=origin)
    assert [set(c) for c in secs] == [{"start", "end"}] * len(segs)
    chunks = A.whisper_speech_chunks(segs, origin=origin, sample_rate=16000)
    audio_chunks, meta = fw_vad.collect_chunks(x, chunks, sampling_rate=16000, max_duration=30.0)
    got = np.concatenate(audio_chunks)
    want = np.concatenate([x[c["start"]:c["end"]] for c in chunks])
    assert np.array_equal(got, want)
    ts_map = fw_vad.SpeechTimestampsMap(chunks, 16000)
    # a time inside the concatenated speech maps back to the original (origin-relative) clock
    t_cat = (chunks[0]["end"] - chunks[0]["start"]) / 16000 + 0.1  # 0.1 s into the second chunk
    assert abs(ts_map.get_original_time(t_cat) - (chunks[1]["start"] / 16000 + 0.1)) < 0.011


def test_handoff_helpers_check_input():
    with pytest.raises(ValueError, match="sorted"):
        A.whisper_clip_timestamps([(2.0, 3.0), (1.0, 1.5)])
    with pytest.raises(ValueError, match="origin"):
        A.whisper_clip_timestamps([(0.1, 0.2)], origin=1.0)
    with pytest.raises(ValueError, match="sample_rate"):
        A.whisper_speech_chunks([(0.1, 0.2)], sample_rate=0)
