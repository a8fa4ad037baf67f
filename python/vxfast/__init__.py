"""vxfast: fast ML inference over video from Python.

decode (:mod:`vxfast.video`) -> preprocess (:mod:`vxfast.preprocessing`) -> infer (:mod:`vxfast.model`)
-> postprocess (:mod:`vxfast.postprocess`); :func:`vxfast.detect` (:mod:`vxfast.detection`) runs the
whole chain; clip tensors in :mod:`vxfast.video_clips`, frame features in :mod:`vxfast.features`;
-> track (:mod:`vxfast.tracking`: :class:`Tracker`, :func:`track`); live and in-memory sources
(:mod:`vxfast.live_sources`: :class:`Source`, :class:`Streams`); audio (:mod:`vxfast.audio`:
:class:`AudioReader`, front-ends, VAD, embeddings, diarization); scale-out on Ray
(:mod:`vxfast.distributed`, imported on demand).
Each area module defines ``__all__``; the public names are re-exported here. No module shares its
name with a function: ``vxfast.detect``, ``vxfast.clips`` and ``vxfast.preprocess`` are functions.
"""
from . import audio, benchmark, features  # noqa: F401
from ._core import __version__ as _core_version  # noqa: F401  (fails loudly if the build is missing)
from .audio import AudioChunk, AudioReader  # noqa: F401
from .config import *  # noqa: F401,F403
from .config import __all__ as _config_all
from .detection import *  # noqa: F401,F403
from .detection import __all__ as _detection_all
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .live_sources import *  # noqa: F401,F403
from .live_sources import __all__ as _live_sources_all
from .model import *  # noqa: F401,F403
from .model import __all__ as _model_all
from .pipeline import *  # noqa: F401,F403
from .pipeline import __all__ as _pipeline_all
from .postprocess import *  # noqa: F401,F403
from .postprocess import __all__ as _postprocess_all
from .preprocessing import *  # noqa: F401,F403
from .preprocessing import __all__ as _preprocessing_all
from .simd import *  # noqa: F401,F403
from .simd import __all__ as _simd_all
from .tracking import *  # noqa: F401,F403
from .tracking import __all__ as _tracking_all
from .video import *  # noqa: F401,F403
from .video import __all__ as _video_all
from .video_clips import *  # noqa: F401,F403
from .video_clips import __all__ as _video_clips_all

__version__ = "0.1.0"
__all__ = [*_errors_all, *_simd_all, *_video_all, *_preprocessing_all, *_pipeline_all, *_postprocess_all, *_model_all,
           *_config_all, *_detection_all, *_video_clips_all, *_tracking_all, *_live_sources_all,
           "benchmark", "features", "__version__", "audio", "AudioReader", "AudioChunk"]
