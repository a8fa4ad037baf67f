"""vxfast.audio.diarize on an espeak-ng conversation of two clearly different voices."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast.audio as A
from onnx_graphs import mean_mel
from speech_media import conversation
from vxfast.shared_data import shared_path


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory):
    d = tmp_path_factory.mktemp("dialogue")
    x, script = conversation(d, [("A", 0), ("B", 1), ("A", 2), ("B", 3), ("A", 4), ("B", 5)],
                             [0.8, 0.6, 1.0, 0.7, 0.9])
    return x, script, mean_mel(d / "meanmel.onnx")


def speaker_at(turns, t):
    for a, b, s in turns:
        if a <= t < b:
            return s
    return None


@pytest.mark.parametrize("num_speakers", [2, None])
def test_turns_follow_the_script(dialogue, num_speakers):
    x, script, model = dialogue
    turns = A.diarize(x, model, num_speakers=num_speakers)
    assert len({s for _, _, s in turns}) == 2
    mapping = {}
    for start, end, who in script:  # the middle 80 % of every utterance has one consistent label
        ts = np.linspace(start + 0.1 * (end - start), end - 0.1 * (end - start), 25)
        labels = [speaker_at(turns, t) for t in ts]
        top = max(set(labels), key=labels.count)
        assert labels.count(top) >= 0.9 * len(labels), (who, labels)
        assert mapping.setdefault(who, top) == top
    assert mapping["A"] != mapping["B"]
    # one turn per utterance (pauses inside a sentence merged), boundaries within 0.35 s of the script
    assert len(turns) == len(script)
    for (a, b, _), (s, e, _) in zip(turns, script):
        assert abs(a - s) < 0.35 and abs(b - e) < 0.35


def test_rttm(dialogue, tmp_path):
    x, _, model = dialogue
    turns = A.diarize(x, model, num_speakers=2)
    A.write_rttm(turns, tmp_path / "out.rttm", file_id="dialogue")
    rows = (tmp_path / "out.rttm").read_text().splitlines()
    assert len(rows) == len(turns)
    f = rows[0].split()
    assert f[0] == "SPEAKER" and f[1] == "dialogue" and f[7] == turns[0].speaker
    assert abs(float(f[3]) - turns[0].start) < 1e-3 and abs(float(f[4]) - (turns[0].end - turns[0].start)) < 2e-3
    with pytest.raises(ValueError, match="file_id"):
        A.write_rttm(turns, tmp_path / "x.rttm", file_id="a b")


def test_real_embedding_model_runs_and_edge_cases(dialogue):
    x, _, _ = dialogue
    turns = A.diarize(x, shared_path("models/speech_embedding.onnx"), num_speakers=2)
    assert turns and all(a < b for a, b, _ in turns)
    assert A.diarize(np.zeros(32000, np.float32), shared_path("models/speech_embedding.onnx")) == []
    with pytest.raises(ValueError, match="num_speakers"):
        A.diarize(x, shared_path("models/speech_embedding.onnx"), num_speakers=0)
