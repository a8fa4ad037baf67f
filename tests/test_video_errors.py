"""Bad input: clear VideoError naming the file, never a crash or hang; damage counted and reported."""
from __future__ import annotations

import warnings

import pytest

import vxfast


def test_missing_file(tmp_path):
    p = tmp_path / "nope.mp4"
    with pytest.raises(vxfast.VideoError, match=r"nope\.mp4: no such file"):
        vxfast.VideoReader(p)


def test_directory(tmp_path):
    with pytest.raises(vxfast.VideoError, match="directory"):
        vxfast.VideoReader(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(vxfast.VideoError, match=r"empty\.mp4: file is empty"):
        vxfast.VideoReader(p)


def test_not_a_video(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("this is not a video\n" * 100)
    with pytest.raises(vxfast.VideoError, match=r"notes\.mp4: not a readable video file"):
        vxfast.VideoReader(p)


def test_audio_only(make_video):
    p = make_video("tone.m4a", "-t", "1", "-c:a", "aac",
                   input_args=("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000"))
    with pytest.raises(vxfast.VideoError, match=r"tone\.m4a: has no video stream \(audio-only"):
        vxfast.VideoReader(p)


def test_unsupported_codec_is_named(tmp_path):
    # A Matroska file whose video track claims a codec FFmpeg has no decoder for.
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip("no ffmpeg CLI")
    src = tmp_path / "src.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=5", "-t", "1",
                    "-c:v", "ffv1", str(src)], check=True)
    data = bytearray(src.read_bytes())
    i = data.find(b"V_FFV1")
    if i < 0:
        i = data.find(b"V_MS/VFW/FOURCC")
    assert i > 0
    # rewrite the codec fourcc inside the VFW header to one FFmpeg does not know
    j = data.find(b"FFV1", i + 1)
    data[j:j + 4] = b"ZZZZ"
    bad = tmp_path / "weird.mkv"
    bad.write_bytes(bytes(data))
    with pytest.raises(vxfast.VideoError, match=r"weird\.mkv: unsupported codec \(unknown, fourcc ZZZZ"):
        vxfast.VideoReader(bad)


@pytest.fixture(scope="module")
def ts_clip(make_video):
    return make_video("clip.ts", "-t", "4", "-an", "-c:v", "libx264", "-g", "25", "-bf", "2",
                      "-pix_fmt", "yuv420p", "-vf", "scale=320:180")


def test_truncated_file_decodes_what_is_there(ts_clip, tmp_path):
    data = ts_clip.read_bytes()
    cut = tmp_path / "cut.ts"
    cut.write_bytes(data[: len(data) * 6 // 10])
    full_n = vxfast.VideoReader(ts_clip).info.frame_count
    r = vxfast.VideoReader(cut)
    assert 0 < r.info.frame_count < full_n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vxfast.CorruptFrameWarning)
        got = [f.index for f in r.frames(format="gray")]
    assert len(got) >= r.info.frame_count - 2 and got == sorted(set(got))


def test_truncated_mp4_without_index_raises(make_video, tmp_path):
    src = make_video("moov_at_end.mp4", "-t", "2", "-an", "-c:v", "libx264", "-vf", "scale=160:90")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(src.read_bytes()[: src.stat().st_size // 2])  # the moov box is lost
    with pytest.raises(vxfast.VideoError, match=r"cut\.mp4"):
        vxfast.VideoReader(cut)


def test_corrupt_packets_mid_stream_are_counted_and_reported(ts_clip, tmp_path):
    data = bytearray(ts_clip.read_bytes())
    n = len(data)
    # Smash the payload (keep the 4-byte TS headers) of 30 transport packets in two places.
    for frac in (3, 2):
        start = (n // frac) // 188 * 188
        for off in range(start, start + 30 * 188, 188):
            data[off + 4: off + 188] = bytes((k * 37 + 11) % 256 for k in range(184))
    bad = tmp_path / "damaged.ts"
    bad.write_bytes(bytes(data))
    r = vxfast.VideoReader(bad)
    with pytest.warns(vxfast.CorruptFrameWarning, match=r"damaged\.ts"):
        it = r.frames(format="gray")
        frames = [f.index for f in it]
    s = it.stats()
    assert s["corrupt_packets"] + s["corrupt_frames"] + s["decoder_errors"] + s["missing_frames"] > 0
    assert len(frames) > r.info.frame_count // 2  # decoding went on past the damage


def test_cli_reports_errors_without_traceback(capsys, tmp_path):
    from vxfast.cli import main

    assert main(["info", str(tmp_path / "missing.avi")]) == 1
    err = capsys.readouterr().err
    assert "missing.avi: no such file" in err and "Traceback" not in err
