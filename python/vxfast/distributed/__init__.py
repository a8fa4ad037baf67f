"""``vxfast.distributed``: vxfast jobs over thousands of videos, on Ray Data or in one process.

Work is planned as small (video, time segment) descriptors (:func:`plan`); each worker decodes its
own segment (seek to the keyframe before ``start``, keep ``start <= pts < end``), runs one model
per actor (:class:`DetectUDF`, :class:`TrackUDF`, :class:`QualityUDF`, :class:`EmbedUDF`,
:class:`AudioUDF`) and commits one Parquet file per segment atomically under ``OUT/<table>/`` with
``OUT/manifest.json`` and ``OUT/errors/``; a re-run resumes. Jobs: :func:`detect`, :func:`track`,
:func:`quality`, :func:`embed`, :func:`vad`, :func:`audio_embed`. See docs/distributed.md.

Importing this package imports neither Ray nor pyarrow (install them with ``vxfast[ray]``); the
single-machine path needs only pyarrow.

>>> import vxfast.distributed as vd
>>> from vxfast.shared_data import shared_path
>>> len(vd.plan(shared_path("media/vtest.avi"), segment_seconds=60))
1
"""
from .jobs import JobSummary, audio_embed, detect, embed, model_fingerprint, quality, track, vad
from .outputs import (
                      MANIFEST,
                      SCHEMA_VERSION,
                      OutputDir,
                      audio_embeddings_schema,
                      detections_schema,
                      embeddings_schema,
                      errors_schema,
                      frames_schema,
                      quality_schema,
                      read_table,
                      tracks_schema,
                      vad_schema,
)
from .planning import Segment, expand_paths, fingerprint, plan
from .segments import detect_segment, segment_range, track_segment
from .udfs import AudioUDF, DetectUDF, EmbedUDF, QualityUDF, TrackUDF

__all__ = ["plan", "Segment", "fingerprint", "expand_paths", "detect", "quality", "embed", "JobSummary",
           "model_fingerprint", "QualityUDF", "EmbedUDF", "quality_schema", "embeddings_schema",
           "DetectUDF", "OutputDir", "read_table", "detections_schema", "frames_schema", "errors_schema",
           "MANIFEST", "SCHEMA_VERSION", "detect_segment", "segment_range", "track", "vad", "audio_embed",
           "TrackUDF", "AudioUDF", "tracks_schema", "vad_schema", "audio_embeddings_schema", "track_segment"]
