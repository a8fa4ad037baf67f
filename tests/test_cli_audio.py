"""``vxfast audio``: the CLI over a muxed speech video."""
from __future__ import annotations

import json

import pytest

import vxfast.audio as A
from onnx_graphs import mean_mel
from speech_media import conversation, mux_into_video, write_wav
from vxfast.cli import main
from vxfast.shared_data import shared_path


@pytest.fixture(scope="module")
def speech_video(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_audio")
    x, _ = conversation(d, [("A", 0), ("B", 1), ("A", 2)], [0.8, 0.6])
    return mux_into_video(write_wav(d / "s.wav", x), d / "s.mp4"), d


def test_vad_jsonl_equals_api(speech_video, capsys):
    video, d = speech_video
    out = d / "vad.jsonl"
    assert main(["audio", str(video), "--vad", "--out", str(out), "--no-progress"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    api = A.vad(video)
    assert len(rows) == len(api) and all(abs(r["start"] - s.start) < 1e-3 for r, s in zip(rows, api))
    assert "speech segments" in capsys.readouterr().out


def test_diarize_rttm_and_embed_stdout(speech_video, capsys):
    video, d = speech_video
    rttm = d / "turns.rttm"
    assert main(["audio", str(video), "--diarize", str(mean_mel(d / "mm.onnx")), "--speakers", "2",
                 "--out", str(rttm), "--no-progress"]) == 0
    lines = rttm.read_text().splitlines()
    assert lines and {ln.split()[7] for ln in lines} == {"SPEAKER_00", "SPEAKER_01"}
    capsys.readouterr()
    assert main(["audio", str(video), "--embed", str(shared_path("models/speech_embedding.onnx")),
                 "--hop", "0.5", "--no-progress"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert rows and len(rows[0]["embedding"]) == 96 and "embeddings of dimension 96" in captured.err


def test_bad_out_and_missing_file(speech_video, tmp_path, capsys):
    video, _ = speech_video
    assert main(["audio", str(video), "--vad", "--out", str(tmp_path / "x.csv")]) == 1
    assert main(["audio", str(video), "--embed", "m.onnx", "--out", str(tmp_path / "x.rttm")]) == 1
    assert main(["audio", str(tmp_path / "nope.mp4"), "--vad"]) == 1
    assert "nope.mp4" in capsys.readouterr().err
