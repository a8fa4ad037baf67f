"""AudioReader(threads=k): the parallel AAC-LC decode against the sequential one (threads=1) on the
same files.

Exactness: on streams without PNS (perceptual noise substitution; the fixtures are encoded with
``-aac_pns 0``) the samples are bit-identical (asserted with ``np.array_equal``), and so are chunk
times, sample offsets, stats and warnings, in mp4/m4a, ADTS, Matroska and MPEG-TS (non-zero start
time), with corrupt packets, seeks and files shorter than one block. With PNS (FFmpeg's default
encoder on noisy sound) only the noise bands differ: a block decoded apart starts the decoder's noise
generator elsewhere (documented; the default ``threads`` stays 1 for that reason).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import vxfast
from audio_helpers import concat_minutes, pyav_resampled, streamed_audio_peak

# 44.1 kHz stereo tone + noise, so the coder uses short windows and noise-like bands; 25 s is ~1080
# packets, 16 blocks of 64 packets.
NOISY = ("-f", "lavfi", "-i", "aevalsrc='0.3*sin(2*PI*440*t)+0.08*(random(0)-0.5)*(1+sin(2*PI*0.7*t))"
         "|0.3*sin(2*PI*660*t)+0.08*(random(1)-0.5)':s=44100:d=25")
NO_PNS = ("-c:a", "aac", "-aac_pns", "0", "-b:a", "128k")


@pytest.fixture(scope="module")
def aac_files(make_video) -> dict[str, Path]:
    return {
        "m4a": make_video("par_nopns.m4a", *NO_PNS, input_args=NOISY),
        "adts": make_video("par_nopns.aac", *NO_PNS, input_args=NOISY),
        "mkv": make_video("par_nopns.mkv", *NO_PNS, input_args=NOISY),
        "ts": make_video("par_nopns.ts", *NO_PNS, input_args=NOISY),  # starts at 1.4 s
    }


def decode(path, threads, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = vxfast.AudioReader(path, threads=threads, **kw)
        x = r.read()
        chunks = [(c.start, c.sample_offset, c.samples) for c in r.chunks(3.0, hop=2.5)]
    return x, r.stats(), chunks, [str(m.message) for m in w], r.info.start_time


@pytest.mark.parametrize("kind", ["m4a", "adts", "mkv", "ts"])
@pytest.mark.parametrize("threads", [2, 3])
def test_parallel_equals_sequential(aac_files, kind, threads):
    x1, st1, ch1, w1, t1 = decode(aac_files[kind], 1)
    xk, stk, chk, wk, tk = decode(aac_files[kind], threads)
    assert np.array_equal(x1, xk)  # bit-identical, not just close
    assert st1 == stk and w1 == wk and t1 == tk
    assert [(s, k) for s, k, _ in ch1] == [(s, k) for s, k, _ in chk]
    assert all(np.array_equal(a, b) for (_, _, a), (_, _, b) in zip(ch1, chk))
    if kind == "ts":
        assert t1 > 1.0


def test_parallel_native_rate_and_pyav(aac_files):
    """At the source's rate and channels the parallel decode is exactly the sequential decoder's output,
    and the resampled result matches PyAV as the sequential path does."""
    a = vxfast.AudioReader(aac_files["m4a"], sample_rate=None, channels=None, threads=1).read()
    b = vxfast.AudioReader(aac_files["m4a"], sample_rate=None, channels=None, threads=4).read()
    assert a.shape[0] == 2 and np.array_equal(a, b)
    ref = pyav_resampled(aac_files["m4a"])[0]
    x = vxfast.AudioReader(aac_files["m4a"], threads=2).read()
    assert x.shape == ref.shape and np.abs(x - ref).max() <= 1e-6


def test_threads_zero_and_default(aac_files):
    r = vxfast.AudioReader(aac_files["m4a"], threads=0)
    assert np.array_equal(r.read(), vxfast.AudioReader(aac_files["m4a"]).read())
    with pytest.raises(ValueError, match="threads"):
        vxfast.AudioReader(aac_files["m4a"], threads=-1)
    with pytest.raises(ValueError, match="threads"):
        vxfast.AudioReader(aac_files["m4a"], threads=1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [0.05, 0.3, 1.6])
def test_short_files(make_video, seconds):
    """Fewer packets than one block (and than workers x blocks): 3, 14 and 70 packets."""
    src = ("-f", "lavfi", "-i", f"aevalsrc='0.4*sin(2*PI*300*t)|0.2*sin(2*PI*900*t)':s=44100:d={seconds}")
    path = make_video(f"par_short_{seconds}.m4a", *NO_PNS, input_args=src)
    x1, st1, ch1, _, _ = decode(path, 1)
    x4, st4, ch4, _, _ = decode(path, 4)
    assert np.array_equal(x1, x4) and st1 == st4
    assert [(s, k) for s, k, _ in ch1] == [(s, k) for s, k, _ in ch4]
    assert len(x1) >= seconds * 16000


def test_seeks_equal(aac_files):
    """Reads that seek (backwards, far ahead) and windows give the sequential reader's samples."""
    r1 = vxfast.AudioReader(aac_files["m4a"], threads=1)
    r2 = vxfast.AudioReader(aac_files["m4a"], threads=2)
    for s, e in [(0.0, 2.0), (17.3, 19.0), (3.21, 4.0), (12.0, 24.5), (0.5, 0.6), (20.0, None)]:
        assert np.array_equal(r1.read(s, e), r2.read(s, e)), (s, e)
    # Workers that resample hand a block (~1.5 s) over at once, so after a read that stops mid-block
    # the packet/frame counters can be a block apart; the rest counts the same.
    s1, s2 = r1.stats(), r2.stats()
    for k in ("packets", "frames"):
        assert abs(s1.pop(k) - s2.pop(k)) <= 2 * 64 * 6
    assert s1 == s2 and s1["seeks"] > 0
    times = [24.0, 1.0, 11.5, 11.6, 6.0]
    assert np.array_equal(r1.windows(times), r2.windows(times))
    c1 = [(c.start, c.samples) for c in r1.chunks(2.0, start=7.7, end=19.1)]
    c2 = [(c.start, c.samples) for c in r2.chunks(2.0, start=7.7, end=19.1)]
    assert [s for s, _ in c1] == [s for s, _ in c2] and all(np.array_equal(a, b) for (_, a), (_, b) in zip(c1, c2))


def test_corrupt_packets_same(aac_files, tmp_path):
    """Damaged payload mid-stream: the same samples (holes filled), counts and warning text."""
    data = bytearray(aac_files["m4a"].read_bytes())
    p = data.find(b"mdat")
    size = int.from_bytes(data[p - 4:p], "big")
    rng = np.random.default_rng(1)
    for frac in (0.2, 0.45, 0.7):  # one hit in the first block's pre-roll range of later blocks too
        q = p + int(size * frac)
        data[q:q + 400] = rng.integers(0, 256, 400, dtype=np.uint8).tobytes()
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(bytes(data))
    x1, st1, ch1, w1, _ = decode(bad, 1)
    x3, st3, ch3, w3, _ = decode(bad, 3)
    assert st1["corrupt_packets"] >= 1 and w1 and "damaged" in w1[0]
    assert np.array_equal(x1, x3) and st1 == st3 and w1 == w3
    assert [(s, k) for s, k, _ in ch1] == [(s, k) for s, k, _ in ch3]


def test_other_codecs_unchanged(make_video):
    """MP3 (and every codec but AAC-LC) ignores threads: the same sequential decode."""
    path = make_video("par.mp3", "-c:a", "libmp3lame", "-b:a", "128k", input_args=NOISY)
    assert np.array_equal(vxfast.AudioReader(path, threads=1).read(), vxfast.AudioReader(path, threads=3).read())


@pytest.mark.parametrize("ext", ["m4a", "aac", "mkv", "ts"])
def test_pns_noise_bands_only(make_video, ext):
    """With PNS (FFmpeg's encoder default) times, lengths and counts still match; the samples differ
    only by noise of the coded bands' energy, which the sequential decode draws elsewhere. That they
    differ at all also shows the parallel path ran in each container (the exact tests above cannot)."""
    path = make_video(f"par_pns.{ext}", "-c:a", "aac", "-b:a", "128k", input_args=NOISY)
    x1, st1, ch1, _, _ = decode(path, 1)
    x2, st2, ch2, _, _ = decode(path, 2)
    assert x1.shape == x2.shape and st1 == st2
    assert [(s, k) for s, k, _ in ch1] == [(s, k) for s, k, _ in ch2]
    d = np.abs(x1 - x2)
    assert d.max() > 0
    assert d.max() < 0.1  # the noise's amplitude, never the tone's (0.3)
    # both are the same signal: the difference carries far less energy than either
    assert float(np.mean(d ** 2)) < 0.01 * float(np.mean(x1 ** 2))


@pytest.mark.slow
def test_parallel_decode_memory_bounded(make_video, tmp_path):
    """10 minutes through 4 workers: decoding the whole track ahead would hold 212 MB of 44.1 kHz
    stereo float; the workers stay at most 8 blocks (~4 MB) ahead."""
    minute = make_video("par_minute.m4a", *NO_PNS, input_args=(
        "-f", "lavfi", "-i", "aevalsrc='0.3*sin(2*PI*440*t)|0.3*sin(2*PI*660*t)':s=44100:d=60"))
    long = concat_minutes(make_video, minute, 10, "par_10min.m4a", tmp_path)
    n, grown_mb = streamed_audio_peak(long, 10.0, threads=4)
    assert abs(n - 600 * 16000) < 16000
    assert grown_mb < 60, grown_mb


def test_joined_files_with_timestamp_jitter(make_video, tmp_path):
    """Pieces joined by stream copy: the timestamps jump by a few samples at each join (within the
    cursor's tolerance, so it keeps counting). The workers place their runs with the cursor's offset;
    the samples and counters still equal the sequential decode's, bit for bit."""
    from audio_helpers import concat_minutes

    piece = make_video("par_piece.m4a", *NO_PNS, input_args=(
        "-f", "lavfi", "-i", "aevalsrc='0.4*sin(2*PI*300*t)+0.1*sin(2*PI*5000*t)|0.2*sin(2*PI*900*t)':s=44100:d=7.3"))
    path = concat_minutes(make_video, piece, 5, "par_joined.m4a", tmp_path)
    x1, st1, _, w1, _ = decode(path, 1)
    x2, st2, _, w2, _ = decode(path, 2)
    assert st1["overlap_samples"] > 0  # the joins: the timeline trims, the runs after them re-place
    assert np.array_equal(x1, x2) and st1 == st2 and w1 == w2
