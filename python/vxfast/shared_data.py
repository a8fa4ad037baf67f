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
    # A source checkout (<root>/python/vxfast/...) or the working directory of a checkout: look for
    # a `shared` folder beside any ancestor.
    here = Path(__file__).resolve()
    for base in (*here.parents, Path.cwd().resolve(), *Path.cwd().resolve().parents):
        candidate = base.parent / "shared"
        if (candidate / "README.md").exists() and (candidate / "media").is_dir():
            return candidate
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
