"""vxfast.features.codec: packet-level codec cues compared with ffprobe on the same files."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter, defaultdict

import pytest

import vxfast
from vxfast import features


def ffprobe(path, *args):
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.skip("ffprobe not installed")
    out = subprocess.run([exe, "-v", "error", "-select_streams", "v:0", "-of", "json", *args, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def probe(path):
    """ffprobe's view: stream header, packets (flags) and decoded frames' picture types."""
    stream = ffprobe(path, "-show_streams")["streams"][0]
    packets = ffprobe(path, "-show_entries", "packet=flags,size,pts", "-show_packets")["packets"]
    frames = ffprobe(path, "-show_entries", "frame=pict_type,pkt_size", "-show_frames")["frames"]
    return stream, packets, frames


def check_against_ffprobe(path):
    stream, packets, frames = probe(path)
    c = features.codec(path)
    assert c["codec"] == stream["codec_name"]
    assert c["profile"] == stream.get("profile", "")
    assert (c["width"], c["height"]) == (stream["width"], stream["height"])
    assert c["frames"] == len(packets)
    assert c["frame_types_source"] == "parser"

    # Frame types and mean packet size per type, from ffprobe's decoded frames.
    assert c["frame_types"] == dict(Counter(f["pict_type"] for f in frames))
    sizes = defaultdict(list)
    for f in frames:
        sizes[f["pict_type"]].append(int(f["pkt_size"]))
    for t, s in sizes.items():
        assert c["mean_packet_size"][t] == pytest.approx(sum(s) / len(s))

    key_packets = [p for p in packets if "K" in p["flags"]]
    assert len(c["keyframes"]) == len(key_packets)
    duration = float(stream["duration"])
    assert c["duration"] == pytest.approx(duration)
    assert c["fps"] == pytest.approx(len(packets) / duration)
    total = sum(int(p["size"]) for p in packets)
    assert c["bit_rate"] == pytest.approx(total * 8 / duration)
    assert c["bit_rate_declared"] == int(stream.get("bit_rate", 0))
    return c


def test_vtest_avi(vtest_avi):
    c = check_against_ffprobe(vtest_avi)
    assert c["frames"] == 341
    assert c["keyframes"] == [0, 128, 256]
    assert c["gop_mean"] == 128 and c["gop_max"] == 128
    assert c["fps"] == pytest.approx(25.0) and c["fps_declared"] == pytest.approx(50.0)  # the header lies
    assert c["frame_types"]["I"] == 3 and c["frame_types"]["B"] > 0


def test_generated_x264_gop25_bf2(make_video):
    video = make_video("features_codec_x264.mp4", "-frames:v", "120", "-vf", "scale=320:180", "-c:v", "libx264",
                       "-profile:v", "main", "-g", "25", "-bf", "2", "-x264-params", "scenecut=0:min-keyint=25")
    c = check_against_ffprobe(video)
    assert c["profile"] == "Main"
    assert c["keyframes"] == [0, 25, 50, 75, 100]
    assert c["gop_mean"] == 25 and c["gop_max"] == 25
    assert c["fps"] == pytest.approx(25.0)
    assert c["frame_types"]["B"] > 0


def test_generated_hevc_single_gop(make_video):
    video = make_video("features_codec_hevc.mp4", "-frames:v", "30", "-vf", "scale=320:180", "-c:v", "libx265",
                       "-x265-params", "log-level=error:keyint=600", "-tag:v", "hvc1")
    c = check_against_ffprobe(video)
    assert c["codec"] == "hevc"
    assert c["keyframes"] == [0]
    assert c["gop_mean"] == c["gop_max"] == 30  # one open GOP: the whole stream


def test_missing_file_raises_video_error(tmp_path):
    with pytest.raises(vxfast.VideoError, match="missing.mp4"):
        features.codec(tmp_path / "missing.mp4")


def test_not_a_video_raises_video_error(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("hello, not a video\n" * 100)
    with pytest.raises(vxfast.VideoError, match="notes.mp4"):
        features.codec(p)
