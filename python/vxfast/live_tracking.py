"""One tracker per source for :class:`vxfast.Streams`: each source's detections go to its own
:class:`vxfast.Tracker`, in the order that source produced them, whatever the batching."""
from __future__ import annotations

from typing import Any, Optional, Union

from .live_sources import _stream_index
from .tracking import Tracker

__all__: list[str] = []


class _SourceClock:
    """A tracker time per source that never goes back: the stream's pts within a connection, and
    across a reconnect (new epoch, pts may restart at 0) the wall-clock gap between the last frame
    of the old connection and the first of the new one, so lost tracks age by the outage."""

    def __init__(self) -> None:
        self.epoch: Optional[int] = None
        self.offset = 0.0
        self.last_t = 0.0
        self.last_recv = 0.0

    def time(self, pts: float, epoch: int, recv_time: float) -> float:
        if self.epoch is None:
            self.offset = -pts
        elif epoch != self.epoch or pts + self.offset < self.last_t:
            # A new connection (or a clock that jumped back): continue after the real gap.
            self.offset = self.last_t + max(recv_time - self.last_recv, 0.0) - pts
        self.epoch = epoch
        t = max(pts + self.offset, self.last_t)
        self.last_t, self.last_recv = t, recv_time
        return t


class _PerSourceTrackers:
    def __init__(self, n: int, tracker: Union[str, Tracker], params: Optional[dict[str, Any]]) -> None:
        if isinstance(tracker, Tracker):
            if n != 1:
                raise ValueError("tracker: a Tracker object serves one source; give its kind ('bytetrack', "
                                 "'ocsort') so Streams makes one per source")
            self.trackers = [tracker]
        else:
            self.trackers = [Tracker(tracker, **(params or {})) for _ in range(n)]
        self.clocks = [_SourceClock() for _ in range(n)]

    def assign(self, frame: Any, detections: Any) -> None:
        i = _stream_index(frame)
        t = self.clocks[i].time(float(frame.pts), int(frame.epoch), float(frame.recv_time))
        self.trackers[i].assign(detections, t)
