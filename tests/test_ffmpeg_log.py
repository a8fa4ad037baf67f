"""FFmpeg's logging is process-wide: importing vxfast must change nothing; vxfast.set_log_level is
the one explicit setter. Each check runs in a fresh interpreter (the level is global state)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import vxfast

PYTHON_DIR = Path(vxfast.__file__).resolve().parent.parent


def run_py(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def core_libavutil() -> str:
    """The libavutil the extension links (so ctypes reads the same global level)."""
    core = next(Path(vxfast.__file__).parent.glob("_core*.so"), None)
    if core is None:
        pytest.skip("no _core shared object next to vxfast (installed differently)")
    ldd = subprocess.run(["ldd", str(core)], capture_output=True, text=True).stdout
    for line in ldd.splitlines():
        if "libavutil" in line and "=>" in line:
            return line.split("=>")[1].split("(")[0].strip()
    pytest.skip("cannot find the libavutil the extension links")


def test_import_changes_neither_level_nor_callback(vtest_avi):
    lib = core_libavutil()
    out = run_py(f"""
        import ctypes
        av = ctypes.CDLL({lib!r})
        av.av_log_set_level(40)                   # something no library would pick by itself
        seen = []
        CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
        cb = CB(lambda avcl, level, fmt, vl: seen.append(fmt))
        av.av_log_set_callback(cb)
        import vxfast, vxfast._core
        av.av_log(None, 16, b"probe after import\\n")
        print(av.av_log_get_level(), vxfast.get_log_level(), seen == [b"probe after import\\n"])
    """)
    assert out.split() == ["40", "40", "True"]


def test_set_log_level_is_the_setter_and_reading_video_keeps_it(vtest_avi):
    out = run_py(f"""
        import vxfast
        before = vxfast.get_log_level()
        with vxfast.VideoReader({str(vtest_avi)!r}) as r:
            sum(1 for _ in r.frames(sample="every:50", format="gray"))
        after_read = vxfast.get_log_level()
        vxfast.set_log_level("error")
        e = vxfast.get_log_level()
        vxfast.set_log_level("QUIET")
        q = vxfast.get_log_level()
        vxfast.set_log_level(48)
        print(before, after_read, e, q, vxfast.get_log_level())
    """)
    before, after_read, e, q, d = map(int, out.split())
    assert before == after_read == 32  # FFmpeg's default, AV_LOG_INFO
    assert (e, q, d) == (16, -8, 48)


def test_set_log_level_rejects_bad_values():
    with pytest.raises(ValueError, match="loud.*quiet"):
        vxfast.set_log_level("loud")
    with pytest.raises(TypeError):
        vxfast.set_log_level(True)
    with pytest.raises(TypeError):
        vxfast.set_log_level(2.5)  # type: ignore[arg-type]


def test_damage_is_counted_when_ffmpeg_is_quiet(tmp_path, make_video):
    """Counting does not depend on the level: a quiet FFmpeg still reports damage through vxfast."""
    clip = make_video("log_clip.ts", "-t", "3", "-an", "-c:v", "libx264", "-g", "25", "-bf", "2",
                      "-pix_fmt", "yuv420p", "-vf", "scale=320:180")
    data = bytearray(clip.read_bytes())
    start = (len(data) // 2) // 188 * 188
    for off in range(start, start + 30 * 188, 188):
        data[off + 4: off + 188] = bytes((k * 37 + 11) % 256 for k in range(184))
    bad = tmp_path / "quiet_damaged.ts"
    bad.write_bytes(bytes(data))
    out = run_py(f"""
        import warnings, vxfast
        vxfast.set_log_level("quiet")
        r = vxfast.VideoReader({str(bad)!r})
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            it = r.frames(format="gray")
            n = sum(1 for _ in it)
        s = it.stats()
        print(s["corrupt_packets"] + s["corrupt_frames"] + s["decoder_errors"] + s["missing_frames"],
              sum(issubclass(x.category, vxfast.CorruptFrameWarning) for x in w))
    """)
    bad_count, warned = map(int, out.split())
    assert bad_count > 0 and warned == 1
