"""Reading video: :class:`VideoReader` over the C++ FFmpeg core.

>>> import vxfast
>>> from vxfast.shared_data import shared_path
>>> with vxfast.VideoReader(shared_path("media/vtest.avi")) as r:
...     print(r.info.frame_count, r.info.fps)
...     for f in r.frames(sample="fps:1", format="rgb24"):
...         pass  # f.index, f.pts, f.keyframe, f.data (H, W, 3) uint8
341 25.0
"""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, BinaryIO, Optional, Union

import numpy as np

from . import _core
from ._core.decode import Frame, FrameIterator, VideoInfo
from .errors import VideoError

if TYPE_CHECKING:
    from .audio import AudioReader

__all__ = ["VideoReader", "VideoInfo", "Frame", "FrameIterator", "FORMATS", "SAMPLE_MODES",
           "LOG_LEVELS", "set_log_level", "get_log_level"]

PathLike = Union[str, "os.PathLike[str]"]

#: Output pixel formats of :meth:`VideoReader.frames`.
FORMATS = ("rgb24", "bgr24", "gray", "yuv420p", "nv12")
#: Sampling modes of :meth:`VideoReader.frames`.
SAMPLE_MODES = ("all", "keyframes", "every:N", "fps:X", "uniform:N")

#: FFmpeg's log levels by name (``AV_LOG_*``); a level shows its messages and every lower one.
LOG_LEVELS = {"quiet": -8, "panic": 0, "fatal": 8, "error": 16, "warning": 24, "info": 32,
              "verbose": 40, "debug": 48, "trace": 56}


def set_log_level(level: Union[str, int]) -> None:
    """Sets FFmpeg's log level for the whole process (``av_log_set_level``).

    ``level`` is a name from :data:`LOG_LEVELS` (``"quiet"``, ``"error"``, ``"warning"``, ``"info"``,
    ``"debug"``, ...) or FFmpeg's integer. FFmpeg's messages go to stderr through whatever log
    callback the process has (FFmpeg's default unless another library set one). Importing vxfast
    changes neither the level nor the callback; this is the only place vxfast sets the level.
    Damage vxfast meets while decoding is counted and reported (``iterator.stats()``,
    :class:`CorruptFrameWarning`) whatever the level: ``set_log_level("quiet")`` hides FFmpeg's
    own lines about it without losing the counts.
    """
    if isinstance(level, bool):
        raise TypeError("level must be a level name or an int, not bool")
    if isinstance(level, str):
        key = level.strip().lower()
        if key not in LOG_LEVELS:
            raise ValueError(f"level={level!r} is not one of {', '.join(LOG_LEVELS)} (or an int)")
        value = LOG_LEVELS[key]
    elif isinstance(level, int):
        value = int(level)
    else:
        raise TypeError(f"level must be a level name or an int, not {type(level).__name__}")
    _core.decode.ffmpeg_set_log_level(value)


def get_log_level() -> int:
    """FFmpeg's current log level (``av_log_get_level``) as an int; see :data:`LOG_LEVELS`."""
    return int(_core.decode.ffmpeg_log_level())


def _check_time(name: str, value: Optional[float]) -> float:
    if value is None:
        return -1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}={value!r} must be a finite number of seconds >= 0")
    return float(value)


class VideoReader:
    """Decodes one video with FFmpeg in C++ threads (the GIL is released while decoding).

    Args:
        path: a file path or an FFmpeg URL; or the video itself in memory: ``bytes``,
            ``bytearray``, ``memoryview`` (read straight from its buffer), or any binary file-like
            object with ``read`` (``io.BytesIO``, an open file, a socket's ``makefile("rb")``),
            read through a custom FFmpeg I/O context with the GIL taken only for each ``read``.
            A file-like object that is not seekable (no ``seek`` or ``seekable()`` False) is read
            once, front to back: the reader opens it in approximate mode, and a second pass,
            :meth:`get_frames_at` or a seek raise :class:`VideoError`. An exception raised by the
            file-like object becomes a :class:`VideoError` whose ``__cause__`` is that exception.

            Example::

                data = open(path, "rb").read()
                with vxfast.VideoReader(io.BytesIO(data)) as r:
                    first = next(iter(r))
        threads: decoder threads. None (default): vxfast's choice, from
            :mod:`vxfast.config.heuristics` (frame iterators: cores + 3, at most 16; random access:
            FFmpeg's choice). 0: FFmpeg's own choice everywhere (frame + slice threading, cores + 1
            frame threads). n: n threads everywhere.
        seek_mode: ``"exact"`` (default) scans the packets once at open (demux only, no decoding) so
            that ``frame_count``, ``fps``, accurate seeks and index-based sampling are right even when
            the container header lies; ``"approximate"`` trusts the header (faster open for long
            files and streams; ``info.frame_count_exact`` is then False).
        rotation: ``"apply"`` (default) rotates frames upright per the stream's display matrix;
            ``"report"`` leaves pixels as stored and only reports ``info.rotation``.

    Raises:
        VideoError: the file is missing, not a video, has no video stream, uses a codec this FFmpeg
            cannot decode, or has no readable packets. The message names the file.

    A reader is safe to share between threads: every :meth:`frames` iterator has its own demuxer
    and decoder, and :meth:`get_frames_at` calls are serialised.
    """

    def __init__(self, path: Union[PathLike, bytes, bytearray, memoryview, BinaryIO],
                 threads: Optional[int] = None, *, seek_mode: str = "exact",
                 rotation: str = "apply") -> None:
        in_memory = not isinstance(path, (str, os.PathLike))
        if in_memory and not (isinstance(path, (bytes, bytearray, memoryview)) or hasattr(path, "read")):
            raise TypeError(f"path must be a str, os.PathLike, bytes-like data or a binary file-like "
                            f"object with read(), not {type(path).__name__}")
        if threads is None:
            from .config.heuristics import random_access_decoder_threads, sequential_decoder_threads

            threads, sequential = random_access_decoder_threads(), sequential_decoder_threads()
        elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ValueError(f"threads={threads!r} must be None or an int >= 0 (0 = FFmpeg's choice)")
        else:
            sequential = threads
        if seek_mode not in ("exact", "approximate"):
            raise ValueError(f"seek_mode={seek_mode!r} must be 'exact' or 'approximate'")
        if rotation not in ("apply", "report"):
            raise ValueError(f"rotation={rotation!r} must be 'apply' or 'report'")
        source: object = os.fspath(path) if isinstance(path, (str, os.PathLike)) else path
        self._core: Optional[_core.decode.ReaderCore] = _core.decode.ReaderCore(
            source, threads, seek_mode == "exact", rotation == "apply", sequential)
        self._info = self._core.info
        self._path: str = self._info.path
        self._seekable = bool(self._core.seekable)
        self._lock = threading.Lock()
        self._pts: Optional[np.ndarray] = None

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Releases the reader's decoder. Iterators already started keep working until exhausted."""
        self._core = None

    def _live(self) -> _core.decode.ReaderCore:
        core = self._core
        if core is None:
            raise VideoError(f"{self._path}: reader is closed")
        return core

    # -- metadata --------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        return self._path

    @property
    def info(self) -> VideoInfo:
        """Stream facts; in exact mode fps/frame_count/duration come from the packets as they play."""
        return self._info

    def __len__(self) -> int:
        return int(self._info.frame_count)

    def audio(self, **kwargs) -> AudioReader:
        """An :class:`vxfast.AudioReader` over the same file (keyword arguments as its constructor:
        ``sample_rate=16000, channels=1, stream=None``); its times are on the clock of this
        reader's :attr:`Frame.pts`, so ``reader.audio().windows(pts)`` gives the audio around frames.
        Raises VideoError ("no audio stream") for a file without audio."""
        from .audio import AudioReader

        return AudioReader(self._path, **kwargs)

    def __repr__(self) -> str:
        return f"VideoReader({self._info!r})"

    @property
    def keyframe_indices(self) -> Optional[np.ndarray]:
        """Display indices of the keyframes (exact mode), else None."""
        return self._live().keyframe_indices()

    @property
    def frame_pts(self) -> Optional[np.ndarray]:
        """Presentation time of every frame in seconds on the stream's clock (exact mode), else None.

        The first is ``info.start_time`` (not 0 for MPEG-TS, late-starting streams, some edit lists);
        each equals PyAV's ``frame.time`` for the same frame."""
        return self._live().index_pts()

    # -- decoding --------------------------------------------------------------------------------
    def _preprocess_args(self, preprocess) -> tuple:
        if preprocess is None:
            return None, None
        from .preprocessing import _core_spec

        core = _core_spec(preprocess)
        info = core.geometry(self._info.width, self._info.height)
        return core, info

    def frames(self, sample: str = "all", start: Optional[float] = None, end: Optional[float] = None,
               format: str = "rgb24", preprocess=None) -> FrameIterator:
        """Iterates decoded frames in display order.

        Args:
            sample: ``"all"``; ``"keyframes"`` (the decoder skips everything else, it does not decode
                and drop); ``"every:N"`` (indices i0, i0+N, ... from the first frame in range);
                ``"fps:X"`` (the frame shown at each t0 + k/X seconds, t0 the pts of the first frame in
                range; repeats a frame when X exceeds the video's rate); ``"uniform:N"``
                (N frames evenly spread, first and last included).
            start, end: seconds on the stream's clock (as ``Frame.pts``, which starts at
                ``info.start_time``, not necessarily 0); frames with start <= pts < end. A start
                between two frames lands on the later one; every sampling mode keeps to this range.
            format: ``rgb24``/``bgr24`` (H, W, 3), ``gray`` (H, W), or the decoder's own planes
                ``yuv420p``/``nv12`` ((H*3/2, W) for even sizes; use ``frame.planes`` for views).
            preprocess: a spec such as ``vxfast.Letterbox(640)`` or ``vxfast.presets.yolo()``: each
                frame's ``data`` is then the model tensor, made in one pass from the decoder's YUV
                planes (no RGB frame in between), and ``frame.letterbox`` maps boxes back to source
                pixels. ``format`` is ignored.

        Each yielded :class:`Frame` owns its ``data`` array for as long as you hold it; buffers you
        drop are reused for later frames (no per-frame allocation in a plain loop). Corrupt packets
        are skipped, counted (``iterator.stats()``) and reported by a :class:`CorruptFrameWarning`
        when iteration ends.
        """
        if not isinstance(sample, str):
            raise TypeError(f"sample must be a str such as 'fps:2', not {type(sample).__name__}")
        if format not in FORMATS:
            raise ValueError(f"format={format!r} is not one of {', '.join(FORMATS)}")
        s, e = _check_time("start", start), _check_time("end", end)
        end_time = self._info.start_time + self._info.duration
        if s >= 0 and self._info.duration > 0 and s >= end_time:
            raise VideoError(f"{self._path}: start={s} s is past the end of the video (frames play "
                             f"from {self._info.start_time:.3f} s to {end_time:.3f} s)")
        core_spec, info = self._preprocess_args(preprocess)
        return self._live().frames(sample, s, e, format, core_spec, info)

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def get_frames_at(self, indices: Sequence[int], format: str = "rgb24", preprocess=None) -> list[Frame]:
        """Decodes the frames at these display indices (accurate seek), returned in the order asked.

        Negative indices count from the end. Raises VideoError for an index past the end.
        ``preprocess`` works as in :meth:`frames`.
        """
        if format not in FORMATS:
            raise ValueError(f"format={format!r} is not one of {', '.join(FORMATS)}")
        idx = []
        for i in indices:
            if isinstance(i, bool) or not hasattr(i, "__index__"):
                raise TypeError(f"frame indices must be integers, got {i!r}")
            idx.append(int(i))
        if not self._seekable:
            raise VideoError(f"{self._path}: the stream is not seekable: random access needs bytes or "
                             "a seekable file object")
        core_spec, info = self._preprocess_args(preprocess)
        with self._lock:
            return self._live().get_frames_at(idx, format, core_spec, info)

    def get_frame_at(self, index: int, format: str = "rgb24", preprocess=None) -> Frame:
        """One frame by display index (see :meth:`get_frames_at`)."""
        return self.get_frames_at([index], format, preprocess)[0]

    def indices_at_times(self, times: Sequence[float]) -> list[int]:
        """Display index of the first frame with ``pts >= t`` for each time t (seconds on the
        stream's clock, as :attr:`Frame.pts`; a t before the first frame gives 0).

        Exact mode looks t up in the frame table; approximate mode estimates
        ``ceil((t - info.start_time) * info.fps)``. Raises VideoError for a t after the last frame.
        """
        ts = [_check_time("time", t) for t in times]
        info = self._info
        core = self._live()
        if self._pts is None and info.frame_count_exact:
            self._pts = core.index_pts()  # immutable: copied out of C++ once per reader
        pts = self._pts
        out = []
        for t in ts:
            if pts is not None:
                k = int(np.searchsorted(pts, t - 1e-9, side="left"))
                last = float(pts[-1]) if len(pts) else info.start_time
            else:
                k = max(0, math.ceil((t - info.start_time) * info.fps - 1e-6)) if info.fps > 0 else 0
                last = info.start_time + (info.frame_count - 1) / info.fps if info.fps > 0 else info.start_time
            if k >= info.frame_count:
                raise VideoError(f"{self._path}: time={t} s is after the last frame (pts {last:.6f} s)")
            out.append(k)
        return out

    def get_frames_at_times(self, times: Sequence[float], format: str = "rgb24",
                            preprocess=None) -> list[Frame]:
        """For each time t (seconds on the stream's clock, as :attr:`Frame.pts`), the first frame
        with ``pts >= t``, decoded with an accurate seek; in the order asked.

        A t before the first frame gives the first frame; a t after the last frame raises
        VideoError. ``format`` and ``preprocess`` work as in :meth:`frames`.
        """
        return self.get_frames_at(self.indices_at_times(times), format, preprocess)

    def get_frame_at_time(self, time: float, format: str = "rgb24", preprocess=None) -> Frame:
        """The first frame with ``pts >= time`` (see :meth:`get_frames_at_times`)."""
        return self.get_frames_at_times([time], format, preprocess)[0]
