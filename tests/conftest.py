"""Shared fixtures: the real shared data (through vxfast.shared_data) and FFmpeg-generated videos."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vxfast.shared_data import shared_path


@pytest.fixture(scope="session")
def vtest_avi() -> Path:
    return shared_path("media/vtest.avi")


@pytest.fixture(scope="session")
def models_dir() -> Path:
    return shared_path("models")


@pytest.fixture(scope="session")
def media_dir() -> Path:
    return shared_path("media")


def ffmpeg(*args: str) -> None:
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.skip("ffmpeg command-line tool not installed")
    subprocess.run([exe, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def make_video(video_dir, vtest_avi):
    """make_video(name, *ffmpeg_output_args, src=None, input_args=()) -> Path, cached per session.

    The input is `input_args` when given (e.g. a lavfi test pattern), else `-i src` (default vtest.avi).
    """
    cache: dict[str, Path] = {}

    def make(name: str, *out_args: str, src: Path | None = None, input_args: tuple = ()) -> Path:
        if name not in cache:
            out = video_dir / name
            inputs = tuple(input_args) if input_args else ("-i", str(src or vtest_avi))
            ffmpeg(*inputs, *out_args, str(out))
            cache[name] = out
        return cache[name]

    return make
