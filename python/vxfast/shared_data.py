"""Locates the project's shared real data (models and media), honouring ``VXFAST_SHARED``.

Tests, benchmarks and the README's main job use the files in place; they are never copied into the
repository. The default is ``../shared`` beside the checkout (CI and developer machines have it).
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["shared_dir", "shared_path"]


def shared_dir() -> Path:
    env = os.environ.get("VXFAST_SHARED")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    # Source checkout: <root>/python/vxfast/shared_data.py -> <root>/../shared. Installed package:
    # fall back to ../shared relative to the working directory.
    for candidate in (here.parents[2].parent / "shared", Path.cwd().parent / "shared",
                      Path.cwd() / "shared"):
        if (candidate / "README.md").exists():
            return candidate.resolve()
    return (Path.cwd().parent / "shared").resolve()


def shared_path(relative: str) -> Path:
    """Absolute path of ``relative`` (e.g. ``"media/vtest.avi"``) under the shared folder.

    Raises FileNotFoundError naming the place it looked and how to point elsewhere.
    """
    p = shared_dir() / relative
    if not p.exists():
        raise FileNotFoundError(
            f"shared data file {relative!r} not found at {p}; set VXFAST_SHARED to the folder that "
            "holds models/ and media/")
    return p
