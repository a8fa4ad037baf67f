"""In-memory input for VideoReader: bytes, memoryview, io.BytesIO and non-seekable streams decode
the same frames with the same pts as the file itself (custom AVIO context in cpp/decode/demuxer.cpp)."""
from __future__ import annotations

import io

import numpy as np
import pytest

import vxfast
from vxfast import VideoError

LAVFI = ("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2")


@pytest.fixture(scope="module", params=["mp4", "ts"])
def clip(request, make_video):
    if request.param == "mp4":
        return make_video("mem_faststart.mp4", "-c:v", "libx264", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p",
                          "-movflags", "+faststart", input_args=LAVFI)
    return make_video("mem_clip.ts", "-c:v", "libx264", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p",
                      "-f", "mpegts", input_args=LAVFI)


class Unseekable(io.RawIOBase):
    """A pipe-like stream: read only, no seek (like a socket's makefile or a subprocess stdout)."""

    def __init__(self, data: bytes, chunk: int = 7001) -> None:
        self._data, self._pos, self._chunk = data, 0, chunk

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = min(len(b), self._chunk, len(self._data) - self._pos)
        b[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


class ReadOnly:
    """Only read(): no readinto, no seek."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(n)


class FailsMidway(io.RawIOBase):
    def __init__(self, data: bytes, fail_at: int) -> None:
        self._data, self._pos, self._fail_at = data, 0, fail_at

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos, whence=0):
        self._pos = pos if whence == 0 else (self._pos + pos if whence == 1 else len(self._data) + pos)
        return self._pos

    def tell(self):
        return self._pos

    def readinto(self, b) -> int:
        if self._pos >= self._fail_at:
            raise ConnectionResetError("object store connection dropped")
        n = min(len(b), len(self._data) - self._pos, self._fail_at - self._pos)
        b[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


def decode_all(src, **kw):
    with vxfast.VideoReader(src, **kw) as r:
        frames = [(f.pts, f.data.copy()) for f in r.frames(format="gray")]
        return r.info, frames


def assert_same(a, b):
    assert len(a) == len(b) > 0
    assert [p for p, _ in a] == pytest.approx([p for p, _ in b], abs=1e-9)
    for (_, x), (_, y) in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_bytes_bytesio_memoryview_match_the_file(clip):
    data = clip.read_bytes()
    info, ref = decode_all(clip)
    for src in (data, bytearray(data), memoryview(data), io.BytesIO(data), ReadOnly(data)):
        got_info, got = decode_all(src)
        assert_same(got, ref)
        if got_info.frame_count_exact:  # ReadOnly has no seek: approximate mode, header estimates
            assert got_info.frame_count == info.frame_count
        assert got_info.start_time == pytest.approx(info.start_time)


def test_non_seekable_stream_matches_the_file(clip):
    data = clip.read_bytes()
    _, ref = decode_all(clip, seek_mode="approximate")
    info, got = decode_all(Unseekable(data))
    assert not info.frame_count_exact  # an index pass would consume the stream
    assert_same(got, ref)


def test_random_access_in_memory_matches_the_file(clip):
    data = clip.read_bytes()
    with vxfast.VideoReader(clip) as a, vxfast.VideoReader(io.BytesIO(data)) as b:
        idx = [37, 3, 24, 0, 49]
        for fa, fb in zip(a.get_frames_at(idx, format="gray"), b.get_frames_at(idx, format="gray")):
            assert fa.pts == fb.pts
            np.testing.assert_array_equal(fa.data, fb.data)


def test_non_seekable_stream_refuses_random_access_and_a_second_pass(clip):
    r = vxfast.VideoReader(Unseekable(clip.read_bytes()))
    with pytest.raises(VideoError, match="not seekable"):
        r.get_frame_at(10)
    n = sum(1 for _ in r.frames())
    assert n > 0
    with pytest.raises(VideoError, match="not seekable"):
        next(iter(r.frames()))


def test_file_like_raising_mid_read_is_a_video_error_with_the_cause(clip):
    data = clip.read_bytes()
    src = FailsMidway(data, len(data) // 2)
    with pytest.raises(VideoError) as ei:
        with vxfast.VideoReader(src) as r:  # exact mode reads every packet at open
            list(r.frames())
    assert isinstance(ei.value.__cause__, ConnectionResetError)
    assert "object store connection dropped" in str(ei.value)
    assert "<FailsMidway>" in str(ei.value)
    assert "\n" not in str(ei.value)


def test_file_like_raising_during_iteration(clip):
    data = clip.read_bytes()
    src = FailsMidway(data, len(data) * 9 // 10)
    with pytest.raises(VideoError) as ei:  # at open (a small clip is probed whole) or mid-iteration
        r = vxfast.VideoReader(src, seek_mode="approximate")
        for _ in r.frames():
            pass
    assert isinstance(ei.value.__cause__, ConnectionResetError)


def test_bad_in_memory_input_is_a_clear_error():
    with pytest.raises(VideoError, match="empty"):
        vxfast.VideoReader(b"")
    with pytest.raises(VideoError, match="not a readable video"):
        vxfast.VideoReader(b"\x00" * 4096)
    with pytest.raises(TypeError, match="path must be"):
        vxfast.VideoReader(12345)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="C-contiguous"):
        vxfast.VideoReader(memoryview(np.zeros((64, 64), np.uint8)[:, ::2]))


def test_bytes_input_outlives_the_caller_reference(clip):
    r = vxfast.VideoReader(bytes(clip.read_bytes()))  # no other reference to the bytes object
    it = r.frames(format="gray")
    assert sum(1 for _ in it) == r.info.frame_count
