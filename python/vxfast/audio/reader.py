"""Reading audio: :class:`AudioReader` over the C++ FFmpeg core (demux, decode, libswresample).

Samples come out float32 at the asked rate and channel count; mono is libswresample's default
downmix, as ``ffmpeg -ac 1`` and faster-whisper's ``decode_audio`` make it. Times are seconds on the
stream's clock, the clock of :attr:`vxfast.Frame.pts` for the same file.

>>> import vxfast
>>> from vxfast.shared_data import shared_path
>>> with vxfast.AudioReader(shared_path("media/vtest.avi")) as r:
...     print(r.info.codec, r.info.sample_rate, r.info.channels, r.sample_rate, r.channels)
...     x = r.read(start=1.0, end=2.0)
...     print(x.dtype, x.shape)
...     for chunk in r.chunks(5.0):
...         pass  # chunk.samples (80000,), chunk.start (s), chunk.sample_offset
aac 44100 2 16000 1
float32 (16000,)
"""
from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import NamedTuple, Optional, Union
from urllib.parse import unquote, urlparse

import numpy as np

from .._core.audio import AudioCursor, AudioInfo
from ..config import heuristics
from ..errors import CorruptFrameWarning

__all__ = ["AudioReader", "AudioChunk", "AudioInfo"]

Source = Union[str, "os.PathLike[str]"]


class AudioChunk(NamedTuple):
    """A piece of audio from :meth:`AudioReader.chunks`.

    ``samples``: float32, ``(n,)`` for mono else ``(channels, n)``. ``start``: time of the first
    sample in seconds on the stream's clock (``info.start_time + sample_offset / sample_rate``).
    ``sample_offset``: index of the first sample at the output rate, counted from the stream's first
    sample.
    """

    samples: np.ndarray
    start: float
    sample_offset: int


def _source_path(source: Source) -> str:
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, os.PathLike or file:// URL, not {type(source).__name__}")
    if source.startswith("file://"):
        u = urlparse(source)
        return unquote(u.path)
    return source


def _check_positive_int(name: str, value: Optional[int], hi: int) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= int(value) <= hi:
        raise ValueError(f"{name}={value!r} must be None or an int in 1..{hi}")
    return int(value)


def _check_time(name: str, value: Optional[float]) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number of seconds or None, not {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name}={value!r} must be a finite number of seconds")
    return float(value)


def _check_seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} must be a finite number of seconds > 0")
    return float(value)


class AudioReader:
    """Decodes one audio stream of a media file (any container/codec FFmpeg reads, including the
    audio track of a video) to float32 at ``sample_rate`` with ``channels`` channels.

    Args:
        source: a path, an ``os.PathLike`` or a ``file://`` URL (other URLs go to FFmpeg as they are).
        sample_rate: output rate in Hz; None keeps the source's.
        channels: output channels; None keeps the source's. 1 is libswresample's default downmix
            (the ``ffmpeg -ac 1`` / faster-whisper mono); a count other than the source's uses
            FFmpeg's default layout for it.
        stream: which audio stream: None = FFmpeg's best, k = the k-th audio stream (0-based, in
            container order; ``info.stream_index`` is its index among all streams).
        threads: decoder threads for an AAC-LC stream (other codecs always decode on one thread).
            None = vxfast's choice (:func:`vxfast.config.heuristics.audio_decode_threads`: 1, the
            bit-exact sequential decode); 0 = one per core
            (:func:`~vxfast.config.heuristics.audio_parallel_decode_threads`); k >= 1 = k. With
            k > 1 the packets are cut into blocks of 64 (~1.5 s) decoded side by side, each after two
            packets of pre-roll: the samples equal the sequential decode's exactly, except in bands
            the encoder coded as PNS (perceptual noise substitution, e.g. FFmpeg's ``aac`` encoder
            on noisy sound), whose noise is a different random draw of the same energy. Times,
            warnings and seeking are the same; the counters advance a block at a time. When the
            conversion runs on vxfast's own resampler (:attr:`resampler`) the workers resample
            their blocks too.

    Raises:
        VideoError: the file is missing or unreadable, or has no audio stream (the message names the
            file). ValueError: a bad argument, or a ``stream`` the file does not have.

    Time: sample k of the stream is at ``info.start_time + k / sample_rate`` seconds on the stream's
    clock, the clock of :attr:`vxfast.Frame.pts` for the same file (the codec's priming samples and
    the container's edit list are applied; positions are integer sample counts, no drift). Holes in
    the audio timestamps longer than 5 ms (a damaged packet, a broken muxer) are filled with silence
    so later samples keep their time; damaged packets are counted in :meth:`stats` and reported by
    one :class:`vxfast.CorruptFrameWarning` per call.

    Thread safety: :meth:`read` and :meth:`windows` are serialised on the reader; every
    :meth:`chunks` iterator decodes with its own demuxer and decoder.
    """

    def __init__(self, source: Source, sample_rate: Optional[int] = 16000, channels: Optional[int] = 1,
                 stream: Optional[int] = None, threads: Optional[int] = None) -> None:
        self._path = _source_path(source)
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                    or not 0 <= threads <= 256):
            raise ValueError(f"threads={threads!r} must be None or an int in 0..256")
        self._threads = (heuristics.audio_decode_threads() if threads is None
                         else heuristics.audio_parallel_decode_threads() if threads == 0 else int(threads))
        self._rate_arg = _check_positive_int("sample_rate", sample_rate, 1_000_000)
        self._channels_arg = _check_positive_int("channels", channels, 64)
        if stream is not None and (isinstance(stream, bool) or not isinstance(stream, (int, np.integer))
                                   or stream < 0):
            raise ValueError(f"stream={stream!r} must be None or an audio stream number >= 0")
        self._stream = -1 if stream is None else int(stream)
        self._core: Optional[AudioCursor] = self._open()
        self._info = self._core.info
        self._lock = threading.Lock()

    def _open(self) -> AudioCursor:
        return AudioCursor(self._path, self._stream, self._rate_arg, self._channels_arg, self._threads)

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> AudioReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Releases the file and decoder (iterators already made keep their own)."""
        self._core = None

    def _live(self) -> AudioCursor:
        if self._core is None:
            raise ValueError(f"AudioReader for {self._path} is closed")
        return self._core

    # -- description -----------------------------------------------------------------------------
    @property
    def path(self) -> str:
        return self._path

    @property
    def info(self) -> AudioInfo:
        """The source stream: codec, sample_rate, channels, layout, duration, start_time, ..."""
        return self._info

    @property
    def sample_rate(self) -> int:
        """Output sample rate in Hz."""
        return int(self._live().sample_rate)

    @property
    def channels(self) -> int:
        """Output channel count."""
        return int(self._live().channels)

    def __repr__(self) -> str:
        out = f"{self._core.sample_rate} Hz x {self._core.channels}" if self._core else "closed"
        return (f"AudioReader({self._path!r}, {self._info.codec} {self._info.sample_rate} Hz x "
                f"{self._info.channels} -> {out})")

    @property
    def resampler(self) -> str:
        """What converted the samples last: ``"vxfast-<simd level>"`` (vxfast's own kernel, which
        reproduces libswresample's default filter and downmix to float rounding: planar float input,
        mono or unchanged channels, rates with an exact phase), ``"libswresample"`` (every other
        conversion) or ``"none"`` (nothing decoded yet)."""
        return str(self._live().resampler)

    def stats(self) -> dict:
        """Decode counters of :meth:`read` / :meth:`windows` so far: packets, frames,
        corrupt_packets (skipped), gap_samples (silence put in), overlap_samples, seeks."""
        return dict(self._live().stats())

    # -- reading ---------------------------------------------------------------------------------
    def _shape(self, planar: np.ndarray) -> np.ndarray:
        return planar[0] if planar.shape[0] == 1 else planar

    def _warn_corrupt(self, before: int, after: int) -> None:
        if after > before:
            warnings.warn(f"{self._path}: {after - before} damaged audio packet(s) skipped (silence in their place)",
                          CorruptFrameWarning, stacklevel=3)

    def read(self, start: Optional[float] = None, end: Optional[float] = None) -> np.ndarray:
        """The samples with ``start <= time < end`` (seconds on the stream's clock; None: from the
        first / to the last sample), float32 ``(n,)`` for mono else ``(channels, n)``.

        >>> import vxfast
        >>> from vxfast.shared_data import shared_path
        >>> r = vxfast.AudioReader(shared_path("media/vtest.avi"), sample_rate=8000, channels=2)
        >>> r.read(0.5, 0.75).shape
        (2, 2000)
        """
        s = _check_time("start", start)
        e = _check_time("end", end)
        if s is not None and e is not None and e < s:
            raise ValueError(f"end={end!r} is before start={start!r}")
        with self._lock:
            core = self._live()
            k0 = 0 if s is None else core.offset_at(s)
            k1 = -1 if e is None else core.offset_at(e)
            before = core.stats()["corrupt_packets"]
            out = core.read(k0, k1) if k1 < 0 or k1 > k0 else np.zeros((core.channels, 0), np.float32)
            self._warn_corrupt(before, core.stats()["corrupt_packets"])
        return self._shape(out)

    def chunks(self, seconds: float, hop: Optional[float] = None, start: Optional[float] = None,
               end: Optional[float] = None) -> Iterator[AudioChunk]:
        """Streams the audio in pieces of ``seconds`` (``round(seconds * sample_rate)`` samples),
        the next one starting ``hop`` seconds later (default: ``seconds``, no overlap; a hop longer
        than the chunk skips the samples between). The last chunk may be shorter; memory stays at
        about one chunk whatever the file's length. ``start`` / ``end`` as in :meth:`read`.

        >>> import vxfast
        >>> from vxfast.shared_data import shared_path
        >>> r = vxfast.AudioReader(shared_path("media/vtest.avi"))
        >>> [(c.sample_offset, round(c.start, 3), c.samples.shape) for c in r.chunks(5.0, hop=4.0, start=2.0)]
        [(32000, 2.0, (80000,)), (96000, 6.0, (80000,)), (160000, 10.0, (60311,))]
        """
        length_s = _check_seconds("seconds", seconds)
        hop_s = length_s if hop is None else _check_seconds("hop", hop)
        s = _check_time("start", start)
        e = _check_time("end", end)
        self._live()
        return self._chunk_iter(length_s, hop_s, s, e)

    def _chunk_iter(self, length_s: float, hop_s: float, s: Optional[float],
                    e: Optional[float]) -> Iterator[AudioChunk]:
        core = self._open()  # an iterator of its own: reads and other iterators do not move it
        rate = core.sample_rate
        t0 = core.start_time
        n = max(1, round(length_s * rate))
        h = max(1, round(hop_s * rate))
        k = 0 if s is None else core.offset_at(s)
        k_end = -1 if e is None else core.offset_at(e)
        prev_end = -1
        warned = False
        while k_end < 0 or k < k_end:
            block = core.chunk(k, n, k_end)
            got = block.shape[1]
            if got == 0 or k + got <= prev_end:
                break
            if not warned and core.stats()["corrupt_packets"]:
                warned = True
                warnings.warn(f"{self._path}: damaged audio packet(s) skipped (silence in their place)",
                              CorruptFrameWarning, stacklevel=2)
            yield AudioChunk(self._shape(block), t0 + k / rate, k)
            prev_end = k + got
            if got < n:
                break
            k += h

    def windows(self, times: Union[Sequence[float], np.ndarray], seconds: float = 0.96) -> np.ndarray:
        """The ``seconds`` of audio centred on each time (seconds on the stream's clock, e.g. the
        ``pts`` of sampled video frames), zero where the window leaves the stream: float32
        ``(len(times), n)`` for mono else ``(len(times), channels, n)``, n = round(seconds *
        sample_rate); the first sample of window i is ``round((t_i - info.start_time) * rate) -
        n // 2``. One forward decode pass over the times in sorted order (seeks only across long
        stretches), in C++.

        >>> import vxfast
        >>> from vxfast.shared_data import shared_path
        >>> r = vxfast.AudioReader(shared_path("media/vtest.avi"))
        >>> r.windows([0.0, 1.0, 5.5]).shape
        (3, 15360)
        """
        t = np.asarray(times, dtype=np.float64)
        if t.ndim != 1:
            raise ValueError(f"times must be a 1-D sequence of seconds, got shape {t.shape}")
        if not np.all(np.isfinite(t)):
            raise ValueError("times must be finite numbers of seconds")
        sec = _check_seconds("seconds", seconds)
        with self._lock:
            core = self._live()
            n = max(1, round(sec * core.sample_rate))
            before = core.stats()["corrupt_packets"]
            out = core.windows(t, n)
            self._warn_corrupt(before, core.stats()["corrupt_packets"])
        return out[:, 0, :] if out.shape[1] == 1 else out
