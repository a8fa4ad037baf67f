"""vxfast.AudioReader: decode + libswresample against PyAV on the same files, sample-accurate time
(A/V alignment with a flash and a beep), seeking, chunks, windows, bad input.

Tolerances: PyAV's wheels bundle their own FFmpeg, so its libswresample/decoders may be a different
version than the one vxfast links; float rounding then differs by ~1e-7 (measured 4.5e-8 on AAC
44.1 kHz stereo -> 16 kHz mono), hence 1e-6. AAC seeks: the decoder's perceptual-noise-substitution
generator carries state across frames, so samples after a seek differ from a decode from the start by
up to ~3e-5 (measured); PCM seeks are exact.
"""
from __future__ import annotations

import doctest
import warnings
from pathlib import Path

import numpy as np
import pytest

import vxfast
from audio_helpers import concat_minutes, pyav_native, pyav_resampled, streamed_audio_peak

SINE2 = ("-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*440*t)|0.3*sin(2*PI*1250*t+1)':s=44100:d=12")


@pytest.fixture(scope="module")
def aac_stereo(make_video) -> Path:
    return make_video("a_stereo.m4a", "-c:a", "aac", "-b:a", "128k", input_args=SINE2)


@pytest.fixture(scope="module")
def wav_stereo(make_video) -> Path:
    return make_video("a_stereo.wav", "-c:a", "pcm_s16le", input_args=SINE2)


# -- against PyAV's libswresample --------------------------------------------------------------------
@pytest.mark.parametrize("rate,layout", [(16000, "mono"), (16000, "stereo"), (48000, "mono"), (22050, "stereo")])
def test_resample_matches_pyav(aac_stereo, rate, layout):
    ref = pyav_resampled(aac_stereo, rate, layout)
    ch = 1 if layout == "mono" else 2
    with vxfast.AudioReader(aac_stereo, sample_rate=rate, channels=ch) as r:
        x = r.read()
        assert r.sample_rate == rate and r.channels == ch
    x2 = x[None] if ch == 1 else x
    assert x2.shape == ref.shape
    assert np.abs(x2 - ref).max() <= 1e-6


def test_info_and_defaults(aac_stereo, vtest_avi):
    r = vxfast.AudioReader(aac_stereo)
    i = r.info
    assert (i.codec, i.sample_rate, i.channels, i.layout, i.stream_index) == ("aac", 44100, 2, "stereo", 0)
    assert i.duration == pytest.approx(12.0, abs=0.05) and i.start_time == 0.0
    assert (r.sample_rate, r.channels) == (16000, 1)
    assert i.to_dict()["codec"] == "aac"
    v = vxfast.AudioReader(vtest_avi, sample_rate=None, channels=None)
    assert (v.info.codec, v.info.sample_rate, v.info.channels, v.sample_rate, v.channels) == ("aac", 44100, 2, 44100, 2)
    x = v.read()
    assert x.shape[0] == 2 and x.dtype == np.float32 and np.all(x == 0)  # digital silence
    assert vxfast.audio.AudioReader is vxfast.AudioReader


def test_path_like_and_file_url(wav_stereo):
    a = vxfast.AudioReader(wav_stereo).read(0, 1)
    b = vxfast.AudioReader(str(wav_stereo)).read(0, 1)
    c = vxfast.AudioReader(wav_stereo.as_uri()).read(0, 1)
    assert a.shape == (16000,) and np.array_equal(a, b) and np.array_equal(a, c)


# -- PCM formats, rates, layouts ----------------------------------------------------------------------
PCM = [("pcm_u8", 8000, "mono"), ("pcm_s16le", 22050, "stereo"), ("pcm_s32le", 48000, "5.1"),
       ("pcm_f32le", 96000, "stereo"), ("pcm_s16le", 44100, "5.1"), ("pcm_f32le", 11025, "mono")]


@pytest.mark.parametrize("codec,rate,layout", PCM)
def test_pcm_decodes(make_video, codec, rate, layout):
    n = {"mono": 1, "stereo": 2, "5.1": 6}[layout]
    expr = "|".join(f"0.4*sin(2*PI*{300 + 170 * c}*t)" for c in range(n))
    path = make_video(f"pcm_{codec}_{rate}_{n}.wav", "-c:a", codec,
                      input_args=("-f", "lavfi", "-i", f"aevalsrc='{expr}':s={rate}:d=1.5:c={layout}"))
    ref, ref_rate = pyav_native(path)
    r = vxfast.AudioReader(path, sample_rate=None, channels=None)
    assert (r.info.sample_rate, r.info.channels, r.sample_rate, r.channels) == (rate, n, rate, n)
    x = r.read()
    x2 = x[None] if n == 1 else x
    assert x2.shape == ref.shape
    assert np.abs(x2 - ref).max() <= 1e-6
    # mono at 16 kHz: libswresample's downmix + resampler, as PyAV's
    mono = vxfast.AudioReader(path).read()
    assert np.abs(mono - pyav_resampled(path)[0]).max() <= 1e-6


CODECS = [("mp3", "libmp3lame"), ("flac", "flac"), ("ogg", "libvorbis"), ("opus", "libopus"), ("aac", "aac"),
          ("ac3", "ac3"), ("mka", "pcm_s24le")]


@pytest.mark.parametrize("ext,codec", CODECS)
def test_codecs_match_pyav(make_video, ext, codec):
    path = make_video(f"codec_{codec}.{ext}", "-c:a", codec, input_args=(
        "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*440*t)|0.3*sin(2*PI*1250*t+1)':s=48000:d=3"))
    x = vxfast.AudioReader(path).read()
    ref = pyav_resampled(path)[0]
    assert x.shape == ref.shape and np.abs(x - ref).max() <= 1e-6


# -- seeking -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [None, 16000, 8000])
def test_seek_pcm_exact(wav_stereo, rate):
    r = vxfast.AudioReader(wav_stereo, sample_rate=rate, channels=2)
    full = r.read()
    sr = r.sample_rate
    for s, e in [(7.3, 8.1), (2.0, 2.5), (10.777, None), (0.2, 0.9), (5.0, 5.0)]:
        x = r.read(s, e)
        k0 = int(np.ceil(s * sr - 1e-6))
        k1 = full.shape[1] if e is None else int(np.ceil(e * sr - 1e-6))
        assert x.shape == (2, k1 - k0)
        np.testing.assert_allclose(x, full[:, k0:k1], atol=1e-6 if rate else 0, rtol=0)
    assert r.stats()["seeks"] >= 2


def test_seek_aac_close(aac_stereo):
    r = vxfast.AudioReader(aac_stereo)
    full = r.read()
    for s in [9.5, 3.21, 6.0, 1.7]:
        x = r.read(s, s + 1.5)
        k0 = int(np.ceil(s * 16000 - 1e-6))
        assert len(x) == 24000
        assert np.abs(x - full[k0:k0 + 24000]).max() <= 1e-4


# -- chunks ------------------------------------------------------------------------------------------
def test_chunks_concatenate_to_read(aac_stereo):
    r = vxfast.AudioReader(aac_stereo, channels=2)
    full = r.read()
    chunks = list(r.chunks(1.0))
    assert [c.sample_offset for c in chunks] == [16000 * i for i in range(len(chunks))]
    assert all(c.start == pytest.approx(c.sample_offset / 16000) for c in chunks)
    assert all(c.samples.shape == (2, 16000) for c in chunks[:-1]) and chunks[-1].samples.shape[1] <= 16000
    assert np.array_equal(np.concatenate([c.samples for c in chunks], axis=1), full)


def test_chunks_hop_start_end(wav_stereo):
    r = vxfast.AudioReader(wav_stereo)
    full = r.read()
    ch = list(r.chunks(0.5, hop=0.25, start=2.0, end=4.0))
    assert [c.sample_offset for c in ch] == [32000 + 4000 * i for i in range(7)]
    assert [len(c.samples) for c in ch] == [8000] * 7  # the last one ends exactly at end=4.0
    for c in ch:
        assert np.array_equal(c.samples, full[c.sample_offset:c.sample_offset + 8000])
    gap = list(r.chunks(0.1, hop=1.0, start=10.0))  # hop > chunk: skips between
    assert [c.sample_offset for c in gap] == [160000, 176000]  # 192000 is the end (12 s)
    assert np.array_equal(gap[1].samples, full[176000:177600])
    tail = list(r.chunks(5.0, hop=2.0, start=6.0))  # overlapping: stops at the first short chunk
    assert [c.sample_offset for c in tail] == [96000, 128000]
    assert tail[-1].samples.shape == (len(full) - 128000,)
    exact = list(r.chunks(5.0, hop=2.0, start=7.0))  # ends exactly at the end: no chunk without news
    assert [c.sample_offset for c in exact] == [112000] and len(full) == 192000


# -- windows -----------------------------------------------------------------------------------------
def test_windows_match_read_with_zero_padding(wav_stereo):
    r = vxfast.AudioReader(wav_stereo)
    full = r.read()
    times = [5.0, 0.1, 11.95, 5.02, 30.0, 0.48, 9.0, 1.0]  # unsorted, edges, past the end, far apart
    w = r.windows(times, seconds=0.96)
    n = 15360
    assert w.shape == (len(times), n) and w.dtype == np.float32
    padded = np.concatenate([np.zeros(n, np.float32), full, np.zeros(n, np.float32)])
    for i, t in enumerate(times):
        s = int(round(t * 16000)) - n // 2
        exp = padded[n + s:n + s + n] if s < len(full) + n else np.zeros(n, np.float32)
        assert np.array_equal(w[i], exp), t
    w2 = vxfast.AudioReader(wav_stereo, channels=2).windows(np.array([3.0]), seconds=0.5)
    assert w2.shape == (1, 2, 8000)


# -- A/V alignment -----------------------------------------------------------------------------------
AV = {"mp4": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"),
      "mkv": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "libopus"),
      "ts": ("-c:v", "mpeg2video", "-c:a", "mp2"),  # MPEG-TS: both clocks start near 1.4 s
      "mov": ("-c:v", "mpeg4", "-c:a", "pcm_s16le", "-ss", "0.52")}  # cut: edit lists / late start


@pytest.mark.parametrize("ext", sorted(AV))
def test_flash_and_beep_align(make_video, ext):
    path = make_video(f"flash_beep.{ext}", *AV[ext], input_args=(
        "-f", "lavfi", "-i",
        "color=black:size=64x64:rate=25:duration=4,drawbox=color=white:t=fill:enable='between(t,2,2.039)'",
        "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*1000*t)*between(t,2,2.2)':s=48000:d=4"))
    with vxfast.VideoReader(path) as v:
        fps = v.info.fps
        flash = next(f.pts for f in v.frames(format="gray") if f.data.mean() > 128)
        a = v.audio()
        x = a.read()
        onset = a.info.start_time + int(np.argmax(np.abs(x) > 0.1)) / a.sample_rate
        # the same through chunks and windows on the frame clock
        chunk = next(c for c in a.chunks(0.5) if np.abs(c.samples).max() > 0.1)
        on2 = chunk.start + int(np.argmax(np.abs(chunk.samples) > 0.1)) / a.sample_rate
        w = a.windows([flash], seconds=0.2)[0]
    assert abs(onset - flash) < 1 / fps, (ext, onset, flash)
    assert on2 == pytest.approx(onset, abs=1e-9)
    assert np.abs(w[:1000]).max() < 0.1 < np.abs(w[2000:]).max()  # silence before the centre, beep after


# -- bad input ---------------------------------------------------------------------------------------
def test_no_audio_stream(make_video):
    path = make_video("no_audio.mp4", "-c:v", "mpeg4", input_args=(
        "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=5", "-t", "1"))
    with pytest.raises(vxfast.VideoError, match="no audio stream") as e:
        vxfast.AudioReader(path)
    assert str(path) in str(e.value)
    with pytest.raises(vxfast.VideoError, match="no audio stream"):
        vxfast.VideoReader(path).audio()


def test_missing_file_and_bad_args(tmp_path, wav_stereo):
    with pytest.raises(vxfast.VideoError, match="nothere.wav"):
        vxfast.AudioReader(tmp_path / "nothere.wav")
    (tmp_path / "junk.mp3").write_bytes(b"not audio at all" * 10)
    with pytest.raises(vxfast.VideoError, match="junk.mp3"):
        vxfast.AudioReader(tmp_path / "junk.mp3")
    for kw in [dict(sample_rate=0), dict(channels=0), dict(channels=1.5), dict(stream=-1)]:
        with pytest.raises(ValueError, match=next(iter(kw))):
            vxfast.AudioReader(wav_stereo, **kw)
    with pytest.raises(ValueError, match="stream=1"):
        vxfast.AudioReader(wav_stereo, stream=1)
    r = vxfast.AudioReader(wav_stereo)
    with pytest.raises(ValueError, match="end"):
        r.read(2.0, 1.0)
    with pytest.raises(ValueError, match="seconds"):
        r.chunks(0)
    with pytest.raises(ValueError, match="times"):
        r.windows([[1.0]])
    r.close()
    with pytest.raises(ValueError, match="closed"):
        r.read()


def test_second_audio_stream(make_video):
    path = make_video("two_audio.mkv", "-map", "0", "-map", "1", "-c:a", "pcm_s16le", input_args=(
        "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*440*t)':s=16000:d=1",
        "-f", "lavfi", "-i", "aevalsrc='0.25*sin(2*PI*440*t)|0.25*sin(2*PI*440*t)':s=8000:d=1"))
    a0 = vxfast.AudioReader(path, stream=0)
    a1 = vxfast.AudioReader(path, stream=1, sample_rate=None, channels=None)
    assert (a0.info.stream_index, a0.info.sample_rate, a1.info.stream_index, a1.info.sample_rate) == (0, 16000, 1, 8000)
    assert a1.channels == 2 and a0.info.audio_stream_count == 2
    assert np.abs(a0.read()).max() == pytest.approx(0.5, abs=1e-3)


def test_corrupt_packets_skipped_counted_warned(aac_stereo, tmp_path):
    data = bytearray(aac_stereo.read_bytes())
    p = data.find(b"mdat")
    size = int.from_bytes(data[p - 4:p], "big")  # the payload only: the index (moov) stays intact
    rng = np.random.default_rng(0)
    for frac in (0.3, 0.6):
        q = p + int(size * frac)
        data[q:q + 300] = rng.integers(0, 256, 300, dtype=np.uint8).tobytes()
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(bytes(data))
    clean = vxfast.AudioReader(aac_stereo).read()
    r = vxfast.AudioReader(bad)
    with pytest.warns(vxfast.CorruptFrameWarning, match="bad.m4a"):
        x = r.read()
    st = r.stats()
    assert st["corrupt_packets"] >= 1 and st["gap_samples"] > 0
    assert x.shape == clean.shape  # holes filled: later samples keep their time
    differ = np.abs(x - clean) > 1e-3
    # damage stays local: whole stretches between and after the hits decode as the clean file
    # (the very end may differ by the AAC decoder's noise-substitution state)
    assert differ.mean() < 0.05 and not differ[4 * 16000:7 * 16000].any() and not differ[8 * 16000:11 * 16000].any()
    with pytest.warns(vxfast.CorruptFrameWarning):
        assert sum(len(c.samples) for c in r.chunks(2.0)) == len(clean)


def test_video_reader_audio_and_info_cli(vtest_avi, capsys):
    from vxfast.cli import main

    with vxfast.VideoReader(vtest_avi) as v:
        a = v.audio(sample_rate=8000)
        assert isinstance(a, vxfast.AudioReader) and a.sample_rate == 8000
    assert main(["info", str(vtest_avi)]) == 0
    assert "audio 0 (stream 1): aac 44100 Hz 2 ch stereo" in capsys.readouterr().out


def test_docstring_examples():
    import vxfast.audio.reader as mod

    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted >= 4


# -- memory ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_one_hour_streams_in_bounded_memory(make_video, tmp_path):
    minute = make_video("minute.m4a", "-c:a", "aac", "-b:a", "64k", input_args=(
        "-f", "lavfi", "-i", "aevalsrc='0.3*sin(2*PI*440*t)|0.3*sin(2*PI*660*t)':s=44100:d=60"))
    hour = concat_minutes(make_video, minute, 60, "hour.m4a", tmp_path)
    n, grown_mb = streamed_audio_peak(hour, 30.0)
    assert abs(n - 3600 * 16000) < 16000
    assert grown_mb < 100, grown_mb


def test_no_warning_on_clean_file(aac_stereo):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vxfast.AudioReader(aac_stereo).read()


def test_chunks_property(wav_stereo):
    """Any chunking of any span gives the samples read() gives at the same offsets."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    r = vxfast.AudioReader(wav_stereo, sample_rate=8000)
    full = r.read()

    @settings(max_examples=25, deadline=None)
    @given(st.floats(0.05, 4.0), st.floats(0.05, 4.0), st.floats(0.0, 13.0), st.floats(0.1, 13.0))
    def check(seconds, hop, start, span):
        chunks = list(r.chunks(seconds, hop=hop, start=start, end=start + span))
        n, h = round(seconds * 8000), round(hop * 8000)
        k0 = int(np.ceil(start * 8000 - 1e-6))
        k1 = min(len(full), int(np.ceil((start + span) * 8000 - 1e-6)))
        if k0 >= k1:
            assert chunks == []
            return
        assert [c.sample_offset for c in chunks] == list(range(k0, k0 + h * len(chunks), h))
        for c in chunks:
            assert np.array_equal(c.samples, full[c.sample_offset:min(c.sample_offset + n, k1)])
        assert chunks[-1].sample_offset + len(chunks[-1].samples) == k1 or h > n  # reaches the end

    check()


def test_docs_example_runs(capsys):
    """The runnable example of docs/audio.md's decode section."""
    text = (Path(__file__).parent.parent / "docs" / "audio.md").read_text()
    section = text[text.index("## Decode"):]
    code = section[section.index("```python") + len("```python"):]
    exec(compile(code[:code.index("```")], "docs/audio.md", "exec"), {})
    assert "80000 5.0 (140311,)" in capsys.readouterr().out


def test_sample_rate_change_midstream(video_dir):
    """Raw ADTS whose rate drops 44.1 -> 22.05 kHz and back (the demuxer's pts do not follow): all
    samples come out contiguous, as the ffmpeg CLI gives them."""
    import subprocess

    parts = []
    for i, rate in enumerate((44100, 22050, 44100)):
        p = video_dir / f"rate_{i}.aac"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"sine=frequency=440:sample_rate={rate}:d=2", "-c:a", "aac", str(p)], check=True)
        parts.append(p.read_bytes())
    path = video_dir / "rate_change.aac"
    path.write_bytes(b"".join(parts))
    r = vxfast.AudioReader(path)
    x = r.read()
    cli = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ar", "16000", "-ac", "1", "-f", "f32le", "-"],
                         check=True, capture_output=True).stdout
    assert abs(len(x) - len(cli) // 4) < 160  # 10 ms: the resampler is flushed at each change
    rms = [np.sqrt(np.mean(x[i:i + 4000] ** 2)) for i in range(0, len(x) - 4000, 4000)]
    assert min(rms) > 0.05 and r.stats()["overlap_samples"] == 0
