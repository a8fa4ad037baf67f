"""Speaker diarization: :func:`diarize` -> speaker turns; :func:`write_rttm`.

VAD (Silero) -> sliding-window embeddings inside the speech segments (:func:`embed`) -> clustering
(embeddings centred on their mean and L2-normalised, average-linkage agglomerative clustering on
cosine distance, scipy) -> each stretch of speech goes to the speaker of the nearest window centre
-> consecutive pieces of one speaker are merged into turns. Use a speaker-embedding model
(WeSpeaker-style over ``frontend="wespeaker"``); the shared openWakeWord embedding is a keyword
model and does not separate speakers (its test uses a mean-log-mel graph instead).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ._source import load_samples
from ._windowing import resolve_frontend
from .embeddings import _embed_samples, open_model
from .voice_activity import Segment, VadModel, vad

__all__ = ["SpeakerTurn", "diarize", "write_rttm"]


class SpeakerTurn(NamedTuple):
    """One speaker's turn in seconds on the source's clock; ``speaker`` is ``"SPEAKER_00"``... in
    order of first appearance. Unpacks as ``start, end, speaker``."""
    start: float
    end: float
    speaker: str


def diarize(source: Any, embed_model: Any, vad_model: VadModel | str | os.PathLike | None = None,
            num_speakers: int | None = None, *, frontend: Any = "openwakeword",
            window: float | None = None, hop: float = 0.25, threshold: float = 1.0,
            min_gap_s: float = 0.5, segments: Sequence[tuple[float, float]] | None = None,
            sample_rate: int = 16000) -> list[SpeakerTurn]:
    """Who spoke when in ``source`` (array at ``sample_rate``, path or AudioReader).

    - ``embed_model`` / ``frontend`` / ``window`` / ``hop``: as :func:`embed` (windows every
      ``hop`` s inside the speech).
    - ``num_speakers``: the number of clusters; None: cut the clustering tree at cosine distance
      ``threshold`` (of the mean-centred embeddings, where two speakers point roughly opposite
      ways: ~1.5 between the test's two voices, < 0.8 within one).
    - ``segments``: speech segments to use instead of running VAD (``vad_model``).
    - ``min_gap_s``: turns of one speaker separated by less silence are merged.
    """
    if num_speakers is not None and (isinstance(num_speakers, bool) or not isinstance(num_speakers, int)
                                     or num_speakers < 1):
        raise ValueError(f"num_speakers must be None or an int >= 1, got {num_speakers!r}")
    if not 0 < threshold < 2:
        raise ValueError(f"threshold must be a cosine distance in (0, 2), got {threshold}")
    if not hop > 0:
        raise ValueError(f"hop must be > 0 seconds, got {hop}")
    if not min_gap_s >= 0:
        raise ValueError(f"min_gap_s must be >= 0, got {min_gap_s}")
    src = load_samples(source, sample_rate)
    if segments is None:
        vm = vad_model if isinstance(vad_model, VadModel) else VadModel(vad_model)
        segs = [(s.start - src.offset, s.end - src.offset) for s in vad(src.data, vm, sample_rate=src.sample_rate)]
    else:
        segs = [(float(a) - src.offset, float(b) - src.offset) for a, b in segments]
    if not segs:
        return []
    m = open_model(embed_model)
    r = _embed_samples(src.data, src.sample_rate, 0.0, m, resolve_frontend(frontend), window, hop, segs, 64)
    if len(r.embeddings) == 0:
        return [SpeakerTurn(src.offset + a, src.offset + b, "SPEAKER_00") for a, b in segs]
    labels = cluster(r.embeddings, num_speakers, threshold)
    centres = 0.5 * (r.start + r.end)
    pieces: list[tuple[float, float, int]] = []
    for a, b in segs:
        inside = np.flatnonzero((centres >= a) & (centres <= b))
        if len(inside) == 0:  # a short segment: its one window is centred on it, maybe just outside
            inside = np.array([int(np.argmin(np.abs(centres - 0.5 * (a + b))))])
        c, lab = centres[inside], labels[inside]
        cuts = np.r_[a, 0.5 * (c[1:] + c[:-1]), b]
        for k in range(len(c)):
            pieces.append((float(cuts[k]), float(cuts[k + 1]), int(lab[k])))
    return _merge(pieces, src.offset, min_gap_s)


def cluster(embeddings: np.ndarray, num_speakers: int | None = None, threshold: float = 1.0) -> np.ndarray:
    """Cluster labels 0..K-1 (numbered in order of first appearance) for (N, D) embeddings."""
    e = np.asarray(embeddings, np.float64)
    if len(e) == 1:
        return np.zeros(1, np.int64)
    if len(e) > 1:
        e = e - e.mean(axis=0)
    e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
    try:
        from scipy.cluster.hierarchy import fcluster, linkage
    except ImportError as e:
        raise ImportError("diarize() clusters with scipy: pip install 'vxfast[diarize]'") from e
    z = linkage(e, method="average", metric="cosine")
    raw = (fcluster(z, num_speakers, "maxclust") if num_speakers is not None
           else fcluster(z, threshold, "distance"))
    _, first = np.unique(raw, return_index=True)
    order = {int(raw[i]): k for k, i in enumerate(sorted(first))}
    return np.array([order[int(v)] for v in raw], np.int64)


def _merge(pieces: list[tuple[float, float, int]], offset: float, min_gap_s: float) -> list[SpeakerTurn]:
    turns: list[list[Any]] = []
    for a, b, s in sorted(pieces):
        if turns and turns[-1][2] == s and a - turns[-1][1] < min_gap_s:
            turns[-1][1] = max(turns[-1][1], b)
        else:
            turns.append([a, b, s])
    return [SpeakerTurn(offset + a, offset + b, f"SPEAKER_{s:02d}") for a, b, s in turns]


def write_rttm(turns: Sequence[SpeakerTurn | Segment | tuple], path: str | os.PathLike, file_id: str = "audio") -> None:
    """Writes turns as RTTM (``SPEAKER <file> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>``)."""
    if not file_id or any(ch.isspace() for ch in file_id):
        raise ValueError(f"file_id must be a non-empty word without spaces, got {file_id!r}")
    with open(path, "w") as f:
        for t in turns:
            start, end = float(t[0]), float(t[1])
            spk = str(t[2]) if len(t) > 2 else "SPEECH"
            f.write(f"SPEAKER {file_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> {spk} <NA> <NA>\n")
