"""The machine-dependent choices vxfast makes when the caller leaves them open, in one place.

Every entry point (:func:`vxfast.detect`, :class:`vxfast.VideoReader`, :class:`vxfast.Pipeline`,
the ``vxfast`` CLI) asks these functions; none has a rule of its own. Each function says the
measurement behind it (the numbers are in ``docs/performance-history.md``). Explicit arguments and
:class:`vxfast.Config` fields always win over them.

What ``threads=0`` means, everywhere a decoder thread count appears: FFmpeg's own choice (frame +
slice threading; FFmpeg picks cores + 1 frame threads). ``threads=None`` means "vxfast's choice":
the functions below.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .hardware import cpu_cores


def sequential_decoder_threads(cores: Optional[int] = None) -> int:
    """Decoder threads for frame iterators (``VideoReader.frames``, pipelines) when the caller
    passed ``threads=None``: cores + 3, at most 16 (0 = FFmpeg's choice on one core).

    The iterator's caller converts each frame (letterbox, RGB) on the decoding thread; meanwhile
    only the frames already in flight get decoded, and H.264 frames also wait on their references'
    rows. Two threads more than FFmpeg's cores + 1 keep more frames in flight: 1080p H.264 +
    letterbox on 2 cores went from 0.89x to 0.90-0.94x of PyAV's decode-only speed (cores + 2,
    + 3, + 4 alike; docs/performance-history.md, Decode, session 2). Random access keeps FFmpeg's count
    (:func:`random_access_decoder_threads`).
    """
    cores = cpu_cores() if cores is None else cores
    return min(cores + 3, 16) if cores >= 2 else 0


def random_access_decoder_threads() -> int:
    """Decoder threads for ``get_frame_at`` / ``get_frames_at`` when the caller passed
    ``threads=None``: 0, FFmpeg's choice. More frame threads only delay the first frame after a
    seek (each thread must be fed before the first frame comes out)."""
    return 0


def decoder_threads_for_model(model_on_cpu: bool, cores: Optional[int] = None) -> Optional[int]:
    """Decoder threads for a video feeding a model (:func:`vxfast.detect` and the CLI):
    1 when the model runs on the CPU of a machine with <= 4 cores, else None (vxfast's usual
    choice, :func:`sequential_decoder_threads`).

    A CPU model already keeps every core of a small machine busy; one decode thread then beats
    FFmpeg's choice (2 cores, 1080p H.264 + YOLOv8n: 18.1 vs 17.2 fps, docs/performance-history.md).
    """
    cores = cpu_cores() if cores is None else cores
    return 1 if model_on_cpu and cores <= 4 else None


def model_streams(model_on_cpu: bool, cores: Optional[int] = None) -> int:
    """Model sessions :func:`vxfast.detect` runs on alternate batches when it loads the model
    itself (``Config.streams`` = 0): 2 on the CPU of a machine with >= 2 cores, else 1.

    Two 1-thread sessions out-run one 2-thread session by ~20 % on 2 cores (a batch's serial
    parts, decode hand-off and postprocessing overlap the other session's inference;
    docs/performance-history.md); a GPU queue gains nothing from a second session.
    """
    cores = cpu_cores() if cores is None else cores
    return 2 if model_on_cpu and cores >= 2 else 1


def postprocess_threads_beside_inference() -> int:
    """Threads for the YOLO decode inside :func:`vxfast.detect`: 1. The model's streams keep the
    other cores busy, and waking a helper there cost the caller 30-40 us on 2 cores
    (docs/postprocess.md, threads)."""
    return 1


def providers_run_on_cpu(providers: Sequence[str]) -> bool:
    """True when a loaded session's providers are all CPU ones (an empty list counts as CPU)."""
    names = [str(p) for p in providers]
    return not names or all(p.startswith("CPU") for p in names)


def config_runs_on_cpu(providers: str | Sequence[str] | None, tensorrt: bool = True) -> bool:
    """Whether a model loaded with these settings would run on the CPU (before loading it)."""
    import onnxruntime as ort

    from ..model.providers import runs_on_cpu

    return runs_on_cpu(providers, ort.get_available_providers(), tensorrt=tensorrt)


def actor_sizing(num_cpus: float, on_gpu: bool = False) -> tuple[int, int, Optional[int]]:
    """Model streams, model threads and decoder threads for one ``vxfast.distributed`` worker
    (a Ray actor, or the single-machine job) that owns ``num_cpus`` CPUs: ``(streams, threads,
    decoder_threads)``.

    The actor's CPUs, not the machine's, are what it may use: Ray packs several actors on a node
    and each sizing its model to every core would oversubscribe it. The rules are the
    single-process ones (:func:`model_streams`, :func:`decoder_threads_for_model`) applied to the
    actor's share; on a GPU the model needs one stream and a thread to feed it.
    """
    cores = max(1, int(num_cpus))
    streams = model_streams(not on_gpu, cores)
    threads = 1 if on_gpu else cores
    decoder = decoder_threads_for_model(not on_gpu, cores)
    if decoder is None:  # vxfast's usual count, but for the actor's cores (never FFmpeg's machine-wide 0)
        decoder = max(1, sequential_decoder_threads(cores))
    return streams, threads, decoder


def audio_decode_threads() -> int:
    """Decoder threads for :class:`vxfast.AudioReader` when the caller passed ``threads=None``: 1.

    The parallel AAC-LC decode (``threads`` > 1) equals the sequential one bit for bit except in
    PNS (perceptual noise substitution) bands, where the noise generator's state runs on across the
    whole stream, so a block decoded apart draws different noise of the same energy. FFmpeg's own
    ``aac`` encoder writes PNS on noisy sound; the default stays exact. Measured gain of the parallel
    decode: docs/performance.md, Audio decode, parallel AAC.
    """
    return 1


def audio_parallel_decode_threads(cores: Optional[int] = None) -> int:
    """Decoder threads for :class:`vxfast.AudioReader` with ``threads=0``: one per core, at most 8
    (a block of ~1.5 s of AAC decodes in ~0.8 ms of one core; more workers than cores only queue)."""
    cores = cpu_cores() if cores is None else cores
    return max(1, min(cores, 8))
