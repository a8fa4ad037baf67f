"""vxfast: fast ML inference over video from Python.

decode (:mod:`vxfast.video`) -> preprocess (:mod:`vxfast.preprocess`) -> infer (:mod:`vxfast.model`)
-> postprocess (:mod:`vxfast.postprocess`); frame features in :mod:`vxfast.features`.
Each area module defines ``__all__``; the public names are re-exported here.
"""
from ._core import __version__ as _core_version  # noqa: F401  (fails loudly if the build is missing)
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .video import *  # noqa: F401,F403
from .video import __all__ as _video_all
from .preprocess import *  # noqa: F401,F403
from .preprocess import __all__ as _preprocess_all
from .postprocess import *  # noqa: F401,F403
from .postprocess import __all__ as _postprocess_all
from .pipeline import *  # noqa: F401,F403
from .pipeline import __all__ as _pipeline_all
from .model import *  # noqa: F401,F403
from .model import __all__ as _model_all
from .config import *  # noqa: F401,F403
from .config import __all__ as _config_all
from .detect import *  # noqa: F401,F403
from .detect import __all__ as _detect_all
from .simd import *  # noqa: F401,F403
from .simd import __all__ as _simd_all
from .clips import *  # noqa: F401,F403  (binds vxfast.clips to the function, not the module)
from .clips import __all__ as _clips_all
from . import benchmark, features  # noqa: F401

__version__ = "0.1.0"
__all__ = [*_errors_all, *_simd_all, *_video_all, *_preprocess_all, *_pipeline_all, *_postprocess_all, *_model_all,
           *_config_all, *_detect_all, *_clips_all,
           "benchmark", "features", "__version__"]
