"""vxfast.audio.embed / classify: the openWakeWord pair end to end against a plain onnxruntime
transcription of openWakeWord's pipeline, window times, segments, and model/front-end misfits."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast
import vxfast.audio as A
from onnx_graphs import pooled_linear, waveform_classifier
from vxfast.shared_data import shared_path

ort = pytest.importorskip("onnxruntime")
MEL = shared_path("models/speech_melspectrogram.onnx")
EMB = shared_path("models/speech_embedding.onnx")


@pytest.fixture(scope="module")
def audio():
    rng = np.random.default_rng(3)
    t = np.arange(16000 * 4) / 16000
    x = 0.2 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0) + rng.normal(0, 0.02, len(t))
    return x.astype(np.float32)


def oww_reference(x, hop_frames):
    """openWakeWord's pipeline in plain onnxruntime: mel over the whole clip (int16 scale),
    x/10+2, 76-frame windows every hop, embedding model one window at a time."""
    mel = ort.InferenceSession(str(MEL), providers=["CPUExecutionProvider"])
    emb = ort.InferenceSession(str(EMB), providers=["CPUExecutionProvider"])
    spec = mel.run(None, {"input": (x * 32768.0)[None, :]})[0].reshape(-1, 32) / 10.0 + 2.0
    out = []
    for f in range(0, len(spec) - 76 + 1, hop_frames):
        out.append(emb.run(None, {"input_1": spec[f:f + 76][None, :, :, None]})[0].reshape(-1))
    return np.array(out), len(spec)


def test_openwakeword_pair_matches_plain_pipeline(audio):
    r = A.embed(audio, EMB, frontend="openwakeword", hop=0.08)
    ref, n_frames = oww_reference(audio, 8)
    assert n_frames == 1 + (len(audio) - 512) // 160
    assert r.embeddings.shape == ref.shape == (len(ref), 96)
    assert np.abs(r.embeddings - ref).max() < 1e-4
    np.testing.assert_allclose(r.start, np.arange(len(ref)) * 0.08, atol=1e-9)
    np.testing.assert_allclose(r.end - r.start, 75 * 0.010 + 0.032, atol=1e-9)


def test_segments_restrict_windows(audio):
    segs = [(0.5, 2.0), (3.0, 3.3)]  # the second is shorter than a window: one window centred
    r = A.embed(audio, EMB, hop=0.1, segments=segs)
    first = r.start < 2.5
    assert np.all(r.start[first] >= 0.5 - 1e-9) and np.all(r.end[first] <= 2.0 + 1e-9)
    assert (~first).sum() == 1 and abs(0.5 * (r.start[~first][0] + r.end[~first][0]) - 3.15) < 0.02
    full = A.embed(audio, EMB, hop=0.1)
    k = int(round(r.start[0] / 0.01))
    j = int(np.flatnonzero(np.isclose(full.start, r.start[0]))[0]) if np.isclose(full.start, r.start[0]).any() else None
    if j is not None:  # a window at the same place gives the same embedding
        assert np.abs(full.embeddings[j] - r.embeddings[0]).max() < 1e-5, k


def test_short_input_gives_empty(audio):
    r = A.embed(audio[:4000], EMB)
    assert r.embeddings.shape == (0, 96) and len(r.start) == 0


def test_model_input_misfit_names_tensor_and_shapes(tmp_path, audio):
    bad = pooled_linear(tmp_path / "bins40.onnx", ["b", 76, 40, 1], [1], 8)
    with pytest.raises(vxfast.ModelError, match=r"'feats'.*\[.*76, 40, 1\].*32 bins"):
        A.embed(audio, bad)
    with pytest.raises(vxfast.ModelError, match=r"'input_1'.*76, 32, 1.*takes 76 frames"):
        A.embed(audio, EMB, window=0.5)
    free = pooled_linear(tmp_path / "free.onnx", ["b", 1, "t", 32], [1, 2], 8)
    with pytest.raises(vxfast.ModelError, match="pass window="):
        A.embed(audio, free)
    fe40 = A.FeatureFrontEnd("fake40", lambda x, sr: np.zeros((len(x) // 160, 40), np.float32), 0.01, 0.025, 40)
    with pytest.raises(vxfast.ModelError, match=r"'input_1'.*32 bins"):
        A.embed(audio, EMB, frontend=fe40)


def test_layouts_and_raw_models(tmp_path, audio):
    free = pooled_linear(tmp_path / "free.onnx", ["b", 1, "t", 32], [1, 2], 8)
    r = A.embed(audio, free, window=0.5, hop=0.25)
    assert r.embeddings.shape[1] == 8 and np.allclose(r.end - r.start, 0.5, atol=0.011)
    ft = pooled_linear(tmp_path / "ft.onnx", ["b", 32, 50], [2], 4)  # [B, F, T]
    assert A.embed(audio, ft).embeddings.shape[1] == 4
    raw = pooled_linear(tmp_path / "raw.onnx", ["b", 8000], [], 3)
    rr = A.embed(audio, raw, frontend=None, hop=0.5)
    assert rr.embeddings.shape == (8, 3)
    w = np.random.default_rng(0).normal(0, 1, (8000, 3)).astype(np.float32)
    np.testing.assert_allclose(rr.embeddings[1], audio[8000:16000] @ w, rtol=1e-3, atol=1e-3)


def test_classify_waveform_model(tmp_path, audio):
    m = waveform_classifier(tmp_path / "wave.onnx", classes=5)
    audio = audio[:7680 * 8]  # the toy graph needs whole hops
    r = A.classify(audio, m, labels=["a", "b", "c", "d", "e"])
    assert r.scores.shape == (8, 5)
    np.testing.assert_allclose(r.scores.sum(1), 1, atol=1e-5)
    np.testing.assert_allclose(r.start, np.arange(len(r.scores)) * 0.48)
    assert r.top(2)[0][0][0] in "abcde" and len(r.top(2)[0]) == 2
    with pytest.raises(vxfast.ModelError, match="5 classes but 2 labels"):
        A.classify(audio, m, labels=["a", "b"])


def test_classify_patch_model_with_labels_from_metadata(tmp_path, audio):
    m = pooled_linear(tmp_path / "patch.onnx", ["b", 96, 64], [1], 3, softmax=True,
                      metadata={"names": "{0: 'speech', 1: 'music', 2: 'noise'}"})
    fe = A.FeatureFrontEnd("mel64", lambda x, sr: np.ones((1 + (len(x) - 400) // 160, 64), np.float32),
                           0.010, 0.025, 64)
    r = A.classify(audio, m, frontend=fe)
    assert r.labels == ["speech", "music", "noise"] and r.scores.shape[1] == 3
    np.testing.assert_allclose(np.diff(r.start), 0.48, atol=1e-9)
    bad = pooled_linear(tmp_path / "patch48.onnx", ["b", 96, 48], [1], 3)
    with pytest.raises(vxfast.ModelError, match=r"'feats'.*96, 48"):
        A.classify(audio, bad, frontend=fe)


def test_bad_arguments(audio):
    with pytest.raises(ValueError, match="frontend"):
        A.embed(audio, EMB, frontend="mfcc")
    with pytest.raises(ValueError, match="hop"):
        A.embed(audio, EMB, hop=-1)
    with pytest.raises(ValueError, match="model"):
        A.embed(audio, 3)
    with pytest.raises(ValueError, match="preset"):
        A.classify(audio, EMB, preset="panns")


@pytest.mark.parametrize("name", ["voice_activity", "embeddings", "classification", "transcription"])
def test_docstring_examples(name):
    import doctest
    import importlib
    mod = importlib.import_module(f"vxfast.audio.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0


def test_fbank_presets_feed_the_model(tmp_path, audio):
    if not hasattr(A, "fbank"):
        pytest.skip("the C++ front-ends are not in this build")
    m = pooled_linear(tmp_path / "fb.onnx", ["b", 150, 80], [1], 6, seed=1)   # 1.5 s of fbank frames
    r = A.embed(audio, m, frontend="fbank", hop=0.5)
    feats = A.fbank(audio, sample_rate=16000, num_mel_bins=80)
    w = np.random.default_rng(1).normal(0, 1, (80, 6)).astype(np.float32)
    starts = np.arange(0, len(feats) - 150 + 1, 50)
    want = np.stack([feats[s:s + 150].mean(0) @ w for s in starts])
    assert r.embeddings.shape == want.shape
    np.testing.assert_allclose(r.embeddings, want, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(r.end - r.start, 149 * 0.010 + 0.025, atol=1e-9)
    # wespeaker: int16 scale and each window's mean removed, so a mean-pooling model gives ~0
    z = A.embed(audio, m, frontend="wespeaker", hop=0.5)
    assert np.abs(z.embeddings).max() < 1e-2 * np.abs(r.embeddings).max() + 1e-3


def test_classify_yamnet_patches_preset(tmp_path, audio):
    if not hasattr(A, "yamnet_patches"):
        pytest.skip("the C++ front-ends are not in this build")
    m = pooled_linear(tmp_path / "yam.onnx", ["b", 1, 96, 64], [1, 2], 4, softmax=True, seed=2)
    r = A.classify(audio, m)
    patches = A.yamnet_patches(audio)
    w = np.random.default_rng(2).normal(0, 1, (64, 4)).astype(np.float32)
    logits = patches.mean(1) @ w
    want = np.exp(logits - logits.max(1, keepdims=True))
    want /= want.sum(1, keepdims=True)
    np.testing.assert_allclose(r.scores, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(r.start, np.arange(len(patches)) * 0.48)
    bad = pooled_linear(tmp_path / "yam128.onnx", ["b", 1, 96, 128], [1, 2], 4)
    with pytest.raises(vxfast.ModelError, match=r"'feats'.*96, 128"):
        A.classify(audio, bad)


def test_whisper_frontend_windows_are_timed_on_centred_frames(tmp_path):
    """Whisper's log-mel frame k is centred on sample 160 k, so it starts 12.5 ms before it: window
    times must say so, or a click lands 12.5 ms off in the reported window."""
    if not hasattr(A, "log_mel"):
        pytest.skip("the C++ front-ends are not in this build")
    m = pooled_linear(tmp_path / "wm.onnx", ["b", 10, 80], [1], 2, seed=2)   # 10 frames per window
    x = np.zeros(16000, np.float32)
    x[8000] = 1.0                                  # a click at 0.5 s
    r = A.embed(x, m, frontend="whisper", hop=0.01)
    np.testing.assert_allclose(r.start, np.arange(len(r.start)) * 0.01 - 0.0125, atol=1e-9)
    np.testing.assert_allclose(r.end - r.start, 9 * 0.010 + 0.025, atol=1e-9)
    mel = np.asarray(A.log_mel(x), np.float32).T   # (frames, 80)
    hot = np.flatnonzero(mel.max(axis=1) > mel.min() + 1.0)
    # the frames that see the click are exactly those whose span [start, start + 25 ms) holds 0.5 s
    t_frame = np.arange(len(mel)) * 0.01 - 0.0125
    see = (t_frame <= 0.5) & (0.5 < t_frame + 0.025)
    assert set(hot) <= set(np.flatnonzero(see)) and len(hot) > 0
    shifted = A.embed(x, m, frontend="whisper", segments=[(0.4, 0.6)], hop=0.01)
    assert shifted.start.min() >= 0.4 - 1e-9 and shifted.end.max() <= 0.6 + 1e-9
