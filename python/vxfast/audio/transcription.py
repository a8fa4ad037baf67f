"""Hand-off to faster-whisper: vxfast's VAD segments in the forms its transcribe calls take.

vxfast does not transcribe; faster-whisper (CTranslate2) does, from the same 16 kHz mono float32
samples :class:`vxfast.AudioReader` gives (``read()``, or ``chunks()`` pieces joined). Its times are
seconds from the first sample of the array it gets, while vxfast's segments are on the file's clock
(the reader's ``info.start_time`` onward), so the helpers take that ``origin`` off.
"""
from __future__ import annotations

from collections.abc import Sequence

__all__ = ["whisper_clip_timestamps", "whisper_speech_chunks"]


def _checked(segments: Sequence[tuple[float, float]], origin: float) -> list[tuple[float, float]]:
    out = []
    prev = -float("inf")
    for k, seg in enumerate(segments):
        a, b = float(seg[0]) - origin, float(seg[1]) - origin
        if not (0 <= a <= b) or a < prev:
            raise ValueError(f"segments[{k}] = {tuple(seg)!r}: segments must be sorted, not overlapping, "
                             f"and at or after origin={origin}")
        out.append((a, b))
        prev = b
    return out


def whisper_clip_timestamps(segments: Sequence[tuple[float, float]], origin: float = 0.0) -> list[float]:
    """``[start0, end0, start1, end1, ...]`` seconds for ``WhisperModel.transcribe(audio,
    clip_timestamps=..., vad_filter=False)`` (it transcribes only those clips of ``audio``).

    >>> whisper_clip_timestamps([(1.5, 2.0), (3.0, 4.25)], origin=0.5)
    [1.0, 1.5, 2.5, 3.75]
    """
    return [t for a, b in _checked(segments, origin) for t in (a, b)]


def whisper_speech_chunks(segments: Sequence[tuple[float, float]], origin: float = 0.0,
                          sample_rate: int | None = None) -> list[dict]:
    """``[{"start": s, "end": e}, ...]``: seconds (``sample_rate=None``) for
    ``BatchedInferencePipeline.transcribe(audio, clip_timestamps=...)``, or sample indices (give
    ``sample_rate``) for ``faster_whisper.vad.collect_chunks`` / ``SpeechTimestampsMap``.

    >>> whisper_speech_chunks([(1.0, 2.0)], sample_rate=16000)
    [{'start': 16000, 'end': 32000}]
    """
    segs = _checked(segments, origin)
    if sample_rate is None:
        return [{"start": a, "end": b} for a, b in segs]
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be None or a positive int, got {sample_rate!r}")
    return [{"start": int(round(a * sample_rate)), "end": int(round(b * sample_rate))} for a, b in segs]
