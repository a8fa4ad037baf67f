"""vxfast.features.quality over vxfast.VideoReader: values against the numpy reference on the same
decoded planes, FeatureTable behaviour, and the on-disk cache (hits, damage, invalidation)."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest

import vxfast
from features_reference import NAMES, reference_features
from vxfast import features


@pytest.fixture(scope="module")
def table(vtest_avi):
    return features.quality(vtest_avi, sample="fps:1")


def test_quality_rows_match_reader_frames_and_reference(vtest_avi, table):
    with vxfast.VideoReader(vtest_avi) as r:
        frames = [(f.index, f.pts, np.array(f.planes[0])) for f in r.frames(sample="fps:1", format="yuv420p")]
    assert len(table) == len(frames) >= 13  # 13.64 s at 1 fps
    assert table.names == NAMES and table.values.shape == (len(frames), len(NAMES))
    assert table.values.dtype == np.float64
    np.testing.assert_array_equal(table.index, [i for i, _, _ in frames])
    np.testing.assert_allclose(table.pts, [p for _, p, _ in frames])
    for k in range(0, len(frames), 4):
        y = frames[k][2]
        assert y.shape == (720, 1280)
        want = reference_features(y)
        np.testing.assert_allclose(table.values[k], [want[n] for n in NAMES], rtol=1e-4)


def test_quality_planes_are_the_decoded_luma(vtest_avi, table):
    # Production uses the Y plane as decoded (no RGB round trip): compare with PyAV's planes[0].
    av = pytest.importorskip("av")
    want_index = int(table.index[3])
    with av.open(str(vtest_avi)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i == want_index:
                plane = frame.planes[0]
                y = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width]
                break
    want = reference_features(np.ascontiguousarray(y))
    np.testing.assert_allclose(table.values[3], [want[n] for n in NAMES], rtol=1e-4)


def test_feature_subset_and_columns(vtest_avi, table):
    sub = features.quality(vtest_avi, sample="fps:1", features=["brenner", "laplacian_var"])
    assert sub.names == ("brenner", "laplacian_var")
    np.testing.assert_array_equal(sub["brenner"], table["brenner"])
    np.testing.assert_array_equal(sub.values[:, 1], table["laplacian_var"])
    with pytest.raises(KeyError, match="tenengrad"):
        sub["tenengrad"]


@pytest.mark.parametrize("bad, exc", [(["nope"], ValueError), ([], ValueError), ("brenner", TypeError)])
def test_bad_features_argument(vtest_avi, bad, exc):
    with pytest.raises(exc):
        features.quality(vtest_avi, features=bad)


def test_summary(table):
    s = table.summary()
    assert set(s) == set(NAMES)
    col = table["tenengrad"]
    assert s["tenengrad"]["mean"] == pytest.approx(col.mean())
    assert s["tenengrad"]["std"] == pytest.approx(col.std())
    assert s["tenengrad"]["p10"] == pytest.approx(np.percentile(col, 10))
    assert s["tenengrad"]["p50"] == pytest.approx(np.median(col))
    assert s["tenengrad"]["p90"] == pytest.approx(np.percentile(col, 90))


def test_summary_ignores_nan():
    t = features.FeatureTable(("a", "b"), np.arange(3), np.zeros(3),
                              np.array([[1.0, math.nan], [math.nan, math.nan], [3.0, math.nan]]))
    s = t.summary()
    assert s["a"]["mean"] == 2.0 and s["a"]["p50"] == 2.0
    assert all(math.isnan(v) for v in s["b"].values())
    with pytest.raises(ValueError, match="inconsistent"):
        features.FeatureTable(("a",), np.arange(3), np.zeros(3), np.zeros((3, 2)))


def test_to_pandas(table):
    pd = pytest.importorskip("pandas")
    df = table.to_pandas()
    assert list(df.columns) == ["pts", *NAMES]
    np.testing.assert_array_equal(df.index.to_numpy(), table.index)
    np.testing.assert_array_equal(df["blockiness"].to_numpy(), table["blockiness"])
    assert isinstance(df, pd.DataFrame)


def test_missing_video_raises_video_error(tmp_path):
    missing = tmp_path / "nope.mp4"
    with pytest.raises(vxfast.VideoError, match="nope.mp4"):
        features.quality(missing)
    with pytest.raises(vxfast.VideoError, match="nope.mp4"):
        features.quality(missing, cache_dir=tmp_path / "cache")


def _entries(cache_dir):
    return sorted(p for p in cache_dir.iterdir() if p.suffix == ".npz")


def test_cache_hit_damage_and_invalidation(make_video, tmp_path, table):
    video = make_video("features_cache.mp4", "-frames:v", "30", "-vf", "scale=320:180", "-c:v", "libx264",
                       "-g", "10")
    cache = tmp_path / "cache"
    first = features.quality(video, sample="every:5", cache_dir=cache)
    [entry] = _entries(cache)

    # A hit is read back, not recomputed: plant a valid entry with known values and get them back.
    planted = first.values + 1000.0
    np.savez(entry, names=np.array(first.names), index=first.index, pts=first.pts, values=planted)
    hit = features.quality(video, sample="every:5", cache_dir=cache)
    np.testing.assert_array_equal(hit.values, planted)
    np.testing.assert_array_equal(hit.index, first.index)

    # Damaged entries (truncated, garbage, wrong shape) are recomputed and rewritten.
    for damage in (lambda b: b[: len(b) // 2], lambda b: b"not an npz at all", None):
        if damage is None:
            np.savez(entry, names=np.array(first.names), index=first.index, pts=first.pts, values=np.zeros((1, 2)))
        else:
            entry.write_bytes(damage(entry.read_bytes()))
        again = features.quality(video, sample="every:5", cache_dir=cache)
        np.testing.assert_array_equal(again.values, first.values)
        np.testing.assert_array_equal(features.quality(video, sample="every:5", cache_dir=cache).values,
                                      first.values)

    # Other parameters and a changed file get their own entries.
    features.quality(video, sample="every:10", cache_dir=cache)
    features.quality(video, sample="every:5", features=["brenner"], cache_dir=cache)
    assert len(_entries(cache)) == 3
    st = os.stat(video)
    os.utime(video, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
    features.quality(video, sample="every:5", cache_dir=cache)
    assert len(_entries(cache)) == 4
    assert not [p for p in cache.iterdir() if p.suffix == ".tmp"]


def test_fingerprint_sees_both_ends(tmp_path):
    p = tmp_path / "f.bin"
    data = bytearray(os.urandom(3 << 20))
    p.write_bytes(data)
    st = os.stat(p)
    fp = features.file_fingerprint(str(p))
    for pos in (10, len(data) - 10):
        changed = bytearray(data)
        changed[pos] ^= 0xFF
        p.write_bytes(changed)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime: only the hash differs
        assert features.file_fingerprint(str(p)) != fp


def test_bad_sample_is_the_readers_value_error(vtest_avi, tmp_path):
    with pytest.raises(ValueError, match="bogus"):
        features.quality(vtest_avi, sample="bogus")
    # Nothing is cached for a failed run.
    with pytest.raises(ValueError):
        features.quality(vtest_avi, sample="bogus", cache_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_sample_all_and_uniform(make_video):
    video = make_video("features_small.mp4", "-frames:v", "12", "-vf", "scale=96:54", "-c:v", "libx264")
    t = features.quality(video, sample="all")
    assert list(t.index) == list(range(12))
    u = features.quality(video, sample="uniform:4")
    assert len(u) == 4 and u.index[0] == 0 and u.index[-1] == 11  # first and last included
    # Same frames, same values, whichever way they were sampled.
    np.testing.assert_array_equal(u.values, t.values[u.index])


def _per_frame(video, sample):
    """quality()'s previous implementation: VideoReader.frames + compute on each yuv420p Y plane."""
    rows, index, pts = [], [], []
    with vxfast.VideoReader(video) as r:
        for f in r.frames(sample=sample, format="yuv420p"):
            rows.append(features.compute(f.planes[0]))
            index.append(f.index)
            pts.append(f.pts)
    return index, pts, np.array([[row[n] for n in NAMES] for row in rows])


@pytest.mark.parametrize("sample", ["all", "every:3", "fps:60", "uniform:5", "keyframes"])
def test_quality_is_the_readers_frames(make_video, sample):
    # fps:60 over a 25 fps video repeats frames; keyframes decodes keyframes only.
    video = make_video("features_gop4.mp4", "-frames:v", "20", "-vf", "scale=136:72", "-c:v", "libx264",
                       "-g", "4")
    t = features.quality(video, sample=sample)
    index, pts, values = _per_frame(video, sample)
    np.testing.assert_array_equal(t.index, index)
    np.testing.assert_array_equal(t.pts, pts)
    np.testing.assert_array_equal(t.values, values)


@pytest.mark.parametrize("kind", ["rotated", "yuv444p", "nv12"])
def test_quality_converts_like_the_reader(make_video, tmp_path, kind):
    # Frames whose Y plane is not the decoder's as is (rotation, other layouts) take the reader's
    # yuv420p conversion first, so the values match it exactly.
    from media_helpers import set_mp4_rotation

    if kind == "rotated":
        video = make_video("features_rot_src.mp4", "-frames:v", "6", "-vf", "scale=104:56", "-c:v", "libx264")
        rotated = tmp_path / "rot.mp4"
        rotated.write_bytes(video.read_bytes())
        set_mp4_rotation(rotated, 90)
        video = rotated
        assert vxfast.VideoReader(video).info.rotation_applied
    else:
        video = make_video(f"features_{kind}.mkv", "-frames:v", "6", "-vf", "scale=104:56", "-pix_fmt", kind,
                           "-c:v", "libx264" if kind == "yuv444p" else "rawvideo")
    t = features.quality(video, sample="all")
    index, _, values = _per_frame(video, "all")
    assert len(index) == 6
    np.testing.assert_array_equal(t.index, index)
    np.testing.assert_array_equal(t.values, values)


def test_quality_reports_damage_like_the_reader(make_video, tmp_path):
    # Damaged as in test_video_errors: the payloads of 30 transport packets smashed in two places.
    src = make_video("features_damage.ts", "-t", "4", "-an", "-c:v", "libx264", "-g", "25", "-bf", "2",
                     "-pix_fmt", "yuv420p", "-vf", "scale=320:180")
    data = bytearray(src.read_bytes())
    for frac in (3, 2):
        start = (len(data) // frac) // 188 * 188
        for off in range(start, start + 30 * 188, 188):
            data[off + 4: off + 188] = bytes((k * 37 + 11) % 256 for k in range(184))
    bad = tmp_path / "damaged.ts"
    bad.write_bytes(bytes(data))
    with pytest.warns(vxfast.CorruptFrameWarning, match=r"damaged\.ts"):
        t = features.quality(bad, sample="all")
    with pytest.warns(vxfast.CorruptFrameWarning):
        index, _, values = _per_frame(bad, "all")
    np.testing.assert_array_equal(t.index, index)
    # FFmpeg's concealment inside the damaged GOPs varies from run to run with frame threads (two
    # reader passes differ there too): compare the first GOP, before the damage at 1/3 of the
    # bytes, and the GOPs from keyframe 75 on, after the damage at 1/2.
    clean = (np.asarray(index) < 25) | (np.asarray(index) >= 75)
    assert clean.sum() > 40
    np.testing.assert_array_equal(t.values[clean], values[clean])
