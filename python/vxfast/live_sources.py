"""Live and in-memory sources: cameras and streams that drop, stall and come back (issue 16).

:class:`Source` decodes one URL, device, file or in-memory video on its own C++ thread (GIL released),
with a deadline on every blocking FFmpeg call and reconnection with :class:`Backoff`;
:class:`Streams` batches many sources by deadline (a batch goes when full or ``max_wait_ms`` after its
first frame), so a stalled or reconnecting source never holds the others back.

Example (runs as is: a file ends at EOF)::

    import vxfast
    from vxfast.shared_data import shared_path

    with vxfast.Source(shared_path("media/vtest.avi"), policy="queue") as cam:
        for frame in cam:
            print(frame.source, frame.seq, frame.epoch, round(frame.pts, 2), frame.data.shape)
            break
"""
from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from . import _core
from ._core.sources import LiveFrame
from .errors import VideoError

__all__ = ["Backoff", "Source", "Streams", "LiveFrame", "SOURCE_STATES"]

SOURCE_STATES = ("connecting", "live", "stalled", "reconnecting", "ended", "failed", "closed")

SourceInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays: ``initial * factor**k`` seconds capped at ``max``, each spread by
    ``+-jitter`` (a fraction). ``max_attempts``: reconnect attempts after a failure before the source
    gives up (state ``"failed"``); ``None`` retries forever. A connection that works resets the count.

    >>> Backoff(initial=0.1, max=2, max_attempts=3).max_attempts
    3
    """

    initial: float = 0.5
    max: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2
    max_attempts: Optional[int] = None

    def __post_init__(self) -> None:
        for field in ("initial", "max", "factor", "jitter"):
            v = getattr(self, field)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"Backoff {field}={v!r} must be a number >= 0")
        if self.factor < 1:
            raise ValueError(f"Backoff factor={self.factor!r} must be >= 1")
        if self.jitter >= 1:
            raise ValueError(f"Backoff jitter={self.jitter!r} must be < 1 (a fraction of the delay)")
        m = self.max_attempts
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 0):
            raise ValueError(f"Backoff max_attempts={m!r} must be None or an int >= 0")


def _is_url(s: str) -> bool:
    return "://" in s and not s.startswith("file:")


def _stream_index(frame: LiveFrame) -> int:
    """The frame's position in the Streams that batched it (set on every frame a Streams yields)."""
    i = frame.source_index
    if i is None:
        raise ValueError(f"frame {frame!r} was read from a lone Source: it has no source_index")
    return i


def _check_seconds(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
        raise ValueError(f"{name}={v!r} must be a number of seconds > 0")
    return float(v)


class Source:
    """One live or file source decoded on a C++ thread of its own.

    Args:
        source: an FFmpeg URL (``rtsp://``, ``rtmp://``, ``http(s)://`` incl. HLS, ``udp://``,
            ``tcp://``, ``srt://`` where the FFmpeg build has it), a device (``/dev/video0`` with
            ``options={"f": ...}`` is not needed for v4l2: FFmpeg probes it), a file path, or the
            video in memory (``bytes``, ``memoryview``, a binary file-like object).
        name: shown in stats and carried by every frame (default: the URL/path).
        policy: ``"latest"`` keeps one frame, overwritten by newer ones (dropped frames counted;
            lowest latency); ``"queue"`` keeps up to ``max_queue`` frames, dropping the oldest for a
            live source and making a file's decoder wait (backpressure, nothing lost).
        open_timeout, read_timeout: seconds an open (connect + probe) or one read may block before
            it is abandoned (an unreachable host, a server that accepts and never sends, a stall).
        reconnect: a :class:`Backoff`: live sources reconnect on EOF, error or stall; every
            successful (re)connection starts a new ``epoch``. Files and in-memory input end at EOF.
        options: FFmpeg format/protocol options, e.g. ``{"rtsp_transport": "tcp"}``.
        format: pixel format of ``frame.data`` (``rgb24``, ``bgr24``, ``gray``, ``yuv420p``, ``nv12``).
        preprocess: a spec such as ``vxfast.Letterbox(640)``: ``frame.data`` is then the model tensor.
        threads: decoder threads for this source (1 keeps latency lowest; raise for 4K).
        live: override the file/live decision (default: URLs are live, the rest are files).

    Frames (:class:`LiveFrame`) carry ``source``, ``seq`` (strictly increasing), ``epoch``, ``pts``
    and ``recv_time`` (wall clock); ``source_index`` is None for frames read from a Source directly
    (a :class:`Streams` sets it to the source's position in its list). Iterating yields frames until
    the source ends; a source that failed for good (``max_attempts`` exhausted) raises
    :class:`VideoError` with its last error.
    ``close()`` returns within about a second in any state. Thread-safe: one consumer iterates,
    any thread may call ``stats()``/``close()``.
    """

    def __init__(self, source: SourceInput, name: Optional[str] = None, policy: str = "latest",
                 max_queue: int = 8, open_timeout: float = 5.0, read_timeout: float = 5.0,
                 reconnect: Optional[Backoff] = None, options: Optional[Mapping[str, Any]] = None, *,
                 format: str = "rgb24", preprocess: Any = None, threads: int = 1,
                 live: Optional[bool] = None) -> None:
        if policy not in ("latest", "queue"):
            raise ValueError(f"policy={policy!r} must be 'latest' or 'queue'")
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValueError(f"max_queue={max_queue!r} must be an int >= 1")
        ot, rt = _check_seconds("open_timeout", open_timeout), _check_seconds("read_timeout", read_timeout)
        backoff = Backoff() if reconnect is None else reconnect
        if not isinstance(backoff, Backoff):
            raise TypeError(f"reconnect must be a vxfast.Backoff, not {type(reconnect).__name__}")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ValueError(f"threads={threads!r} must be an int >= 0 (0 = FFmpeg's choice)")
        opts = {str(k): str(v) for k, v in (options or {}).items()}
        if isinstance(source, os.PathLike):
            source = os.fspath(source)
        if isinstance(source, str):
            is_live = _is_url(source) if live is None else bool(live)
            default_name = source
        elif isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read"):
            is_live = False if live is None else bool(live)
            default_name = f"<{type(source).__name__}>"
        else:
            raise TypeError(f"source must be a URL or path (str), bytes-like data or a binary file-like object, "
                            f"not {type(source).__name__}")
        spec = None
        if preprocess is not None:
            from .preprocessing import _core_spec

            spec = _core_spec(preprocess)
        self._name = name or default_name
        self._policy = policy
        self._live = is_live
        self._core: _core.sources.SourceCore = _core.sources.SourceCore(
            source, self._name, policy == "latest", max_queue, is_live, ot, rt, float(backoff.initial),
            float(backoff.max), float(backoff.factor), float(backoff.jitter),
            -1 if backoff.max_attempts is None else backoff.max_attempts, opts, format, spec, threads,
            random.getrandbits(63) or 1)
        self._closed = False
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stops the decode thread; interrupts a blocked open or read. Idempotent."""
        self._closed = True
        self._core.close()

    def __del__(self) -> None:
        core = getattr(self, "_core", None)
        if core is not None:
            core.close()

    # -- state -----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def live(self) -> bool:
        """True for a live source (reconnects on EOF), False for a file (ends at EOF)."""
        return self._live

    @property
    def state(self) -> str:
        """One of :data:`SOURCE_STATES`."""
        return self._core.state

    def stats(self) -> dict[str, Any]:
        """state, frames_decoded/dropped/delivered, reconnects, attempts, stalls, epoch, queued,
        max_queued, last_error, frame_age (s, last delivery), latency_p50/p95 (s, decode ->
        delivery over the last 512 frames)."""
        return dict(self._core.stats())

    def __repr__(self) -> str:
        return f"Source({self._name!r}, state={self.state!r}, policy={self._policy!r})"

    # -- frames ----------------------------------------------------------------------------------
    def read(self, timeout: Optional[float] = None) -> Optional[LiveFrame]:
        """The next frame; None after ``timeout`` seconds without one or when the source is over
        (``state`` says which). Raises VideoError once the source failed for good."""
        t = -1.0 if timeout is None else max(0.0, float(timeout))
        f = self._core.next(t)
        if f is None and self._core.finished():
            self._raise_if_failed()
        return f

    def _raise_if_failed(self) -> None:
        if self._core.state == "failed":
            err = self._core.stats()["last_error"] or "failed"
            raise VideoError(f"{self._name}: gave up: {err}")

    def __iter__(self) -> Iterator[LiveFrame]:
        while True:
            f = self._core.next(-1.0)
            if f is None:
                self._raise_if_failed()
                return
            yield f

    @property
    def _source_core(self) -> _core.sources.SourceCore:
        return self._core


class Streams:
    """Many sources into one consumer (and optionally one model), batched by deadline.

    Args:
        sources: :class:`Source` objects, or anything :class:`Source` accepts (made with its
            defaults, policy ``"latest"`` for URLs and ``"queue"`` for files and in-memory input,
            and the model's letterbox as ``preprocess`` when there is a model).
        model: None yields batches of frames; a model path or :class:`vxfast.Model` runs detection
            and yields ``(frame, detections)`` pairs per batch.
        tracker: with a model, ``"bytetrack"`` or ``"ocsort"`` gives every source its own
            :class:`vxfast.Tracker` (``detections.tracker_id`` set; IDs per source, fed in that
            source's order with its pts as time, the outage added across reconnects);
            ``tracker_params`` go to each.
        batch: frames per batch (default: the number of sources).
        max_wait_ms: a partial batch goes this long after its first frame was decoded.
        preprocess: the spec for the model input (default: the model's letterbox); without a
            model, the ``preprocess`` of the sources made here.

    Iterating yields lists (one per batch); each frame's ``source_index`` is its source's position
    in ``sources`` (its ``source`` is the name). ``stats()`` gives each source's :meth:`Source.stats`.
    Sources end independently; iteration ends when all are over (a failed source raises nothing
    here: see ``stats()``).
    """

    def __init__(self, sources: Sequence[Union[Source, SourceInput]], model: Any = None,
                 batch: Optional[int] = None, max_wait_ms: float = 40, preprocess: Any = None,
                 conf: float = 0.25, iou: float = 0.45, tracker: Any = None,
                 tracker_params: Optional[dict[str, Any]] = None) -> None:
        if not sources:
            raise ValueError("sources must not be empty")
        if isinstance(max_wait_ms, bool) or not isinstance(max_wait_ms, (int, float)) or max_wait_ms < 0:
            raise ValueError(f"max_wait_ms={max_wait_ms!r} must be a number >= 0")
        n = len(sources)
        b = n if batch is None else batch
        if isinstance(b, bool) or not isinstance(b, int) or b < 1:
            raise ValueError(f"batch={batch!r} must be None or an int >= 1")
        self._detector = None
        spec = preprocess  # without a model: the tensor the caller wants from the sources made here
        if model is not None:
            from .live_detection import _LiveDetector

            self._detector = _LiveDetector(model, b, preprocess, conf, iou)
            spec = self._detector.spec
        elif tracker is not None:
            raise ValueError("tracker needs a model: Streams(..., model=..., tracker='bytetrack')")
        self._trackers = None
        if tracker is not None:
            from .live_tracking import _PerSourceTrackers

            self._trackers = _PerSourceTrackers(n, tracker, tracker_params)

        def make(s: Any) -> Source:
            # Files and in-memory input lose nothing ("queue": backpressure); live URLs keep the
            # newest frame ("latest") so a slow consumer sees fresh frames.
            url = isinstance(s, (str, os.PathLike)) and _is_url(os.fspath(s))
            return Source(s, policy="latest" if url else "queue", preprocess=spec)

        made = [s if isinstance(s, Source) else make(s) for s in sources]
        self._sources = made
        self._owned = [s for s, orig in zip(made, sources) if s is not orig]
        self._batch = b
        self._inferred = [0] * len(made)
        self._core = _core.sources.BatcherCore([s._source_core for s in made], b, max_wait_ms / 1000.0)

    @property
    def sources(self) -> list[Source]:
        return list(self._sources)

    def __enter__(self) -> Streams:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes every source (also those passed in)."""
        for s in self._sources:
            s.close()

    def stats(self) -> list[dict[str, Any]]:
        """Each source's :meth:`Source.stats`, plus ``frames_inferred`` (frames the model ran on)."""
        out = [s.stats() for s in self._sources]
        for i, d in enumerate(out):
            d["frames_inferred"] = self._inferred[i]
        return out

    def next_batch(self, timeout: Optional[float] = None) -> Optional[list[LiveFrame]]:
        """One batch of frames; None when every source is over or after ``timeout`` seconds."""
        return self._core.next(-1.0 if timeout is None else max(0.0, float(timeout)))

    def __iter__(self) -> Iterator[list[Any]]:
        while True:
            frames = self._core.next(-1.0)
            if frames is None:
                return
            if self._detector is None:
                yield frames
            else:
                out = self._detector.run(frames)
                for f in frames:
                    self._inferred[_stream_index(f)] += 1
                if self._trackers is not None:
                    for f, d in out:
                        self._trackers.assign(f, d)
                yield out
