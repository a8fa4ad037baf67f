"""vxfast.clips / clip_batch against PyAV-decoded RGB frames + OpenCV resize-short + centre crop."""
from __future__ import annotations

import av
import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from vxfast.video_clips import CLIP_NORMS, clip_batch, clip_indices, clips, slow_indices


def pyav_rgb_frames(path, wanted) -> dict:
    """Display-order RGB frames (PyAV's own decode + swscale) at the wanted indices."""
    wanted = set(int(i) for i in wanted)
    out = {}
    with av.open(str(path)) as c:
        for i, fr in enumerate(c.decode(video=0)):
            if i in wanted:
                out[i] = fr.to_ndarray(format="rgb24")
            if len(out) == len(wanted):
                break
    return out


def reference_frame(rgb, size=224, resize_short=None, mean=(0, 0, 0), std=(1, 1, 1), crop="center"):
    """torchvision Resize(short) + CenterCrop geometry with cv2 bilinear, normalised, CHW float32."""
    h, w = rgb.shape[:2]
    if crop == "resize":
        img = cv2.resize(rgb, (size, size), interpolation=cv2.INTER_LINEAR)
    else:
        s = resize_short or size
        nw, nh = (s, int(s * h / w)) if w <= h else (int(s * w / h), s)
        img = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
        top, left = int(round((nh - size) / 2)), int(round((nw - size) / 2))
        img = img[top:top + size, left:left + size]
    x = img.astype(np.float32) / 255
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return x.transpose(2, 0, 1)


def reference_clip(frames: dict, indices, **kw) -> np.ndarray:
    """(C, T, H, W) from the reference frames."""
    return np.stack([reference_frame(frames[int(i)], **kw) for i in indices], axis=1)


def pyav_i420_frames(path, wanted) -> dict:
    """PyAV's decoded YUV420P planes converted by OpenCV (nearest chroma, the fused path's rule)."""
    wanted = set(int(i) for i in wanted)
    out = {}
    with av.open(str(path)) as c:
        for i, fr in enumerate(c.decode(video=0)):
            if i in wanted:
                out[i] = cv2.cvtColor(fr.to_ndarray(format="yuv420p"), cv2.COLOR_YUV2RGB_I420)
            if len(out) == len(wanted):
                break
    return out


# Against PyAV's RGB (swscale interpolates chroma; the fused path takes each chroma sample for its
# 2x2 block as OpenCV does) a 720p -> 224 bilinear decimation sees that difference at its sparse
# taps: mean 0.68/255 on vtest. Against the same planes converted by OpenCV it is 0.31/255.
RGB_MEAN_MAX = 1.0


def assert_close_pixels(got, ref, std, mean_max=0.5):
    """Compare in 0..255 pixel units (un-normalised): mean <= mean_max, max <= 8."""
    s = np.asarray(std, np.float32).reshape((3,) + (1,) * (got.ndim - 1))
    d = np.abs(got.astype(np.float32) - ref) * s * 255
    assert d.mean() <= mean_max, d.mean()
    assert d.max() <= 8, d.max()


@pytest.fixture(scope="module")
def gop_video(make_video):
    """H.264 with B-frames and GOP 25: clips need real seeks to keyframes."""
    return make_video("clips_gop25.mp4", "-frames:v", "120", "-c:v", "libx264", "-g", "25",
                      "-keyint_min", "25", "-sc_threshold", "0", "-bf", "2", "-pix_fmt", "yuv420p",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=480x270:rate=25"))


def test_kinetics_clip_matches_pyav_reference(vtest_avi):
    c = next(clips(vtest_avi, frames_per_clip=16))
    assert c.data.shape == (3, 16, 224, 224) and c.data.dtype == np.float32
    assert c.layout == "CTHW" and c.batched().shape == (1, 3, 16, 224, 224)
    n = len(vxfast.VideoReader(vtest_avi))
    np.testing.assert_array_equal(c.indices, np.arange(16) + (n // 2 - 8))
    kin = dict(mean=(0.45,) * 3, std=(0.225,) * 3)
    ref = reference_clip(pyav_rgb_frames(vtest_avi, c.indices), c.indices, **kin)
    assert_close_pixels(c.data, ref, (0.225,) * 3, RGB_MEAN_MAX)
    assert np.abs(c.data - ref).mean() <= 0.02  # the bar, in normalised units
    ref = reference_clip(pyav_i420_frames(vtest_avi, c.indices), c.indices, **kin)
    assert_close_pixels(c.data, ref, (0.225,) * 3)


def test_multi_clip_seeks_match_reference_and_pts(gop_video):
    r = vxfast.VideoReader(gop_video)
    batch = clip_batch(r, frames_per_clip=8, step=2, num_clips=4, norm="imagenet",
                       resize_short=256)
    assert batch.data.shape == (4, 3, 8, 224, 224) and len(batch) == 4
    np.testing.assert_array_equal(batch.indices, clip_indices(120, 8, 2, 4))
    np.testing.assert_allclose(batch.pts, np.asarray(r.frame_pts)[batch.indices])
    frames = pyav_rgb_frames(gop_video, batch.indices.ravel())
    mean, std = CLIP_NORMS["imagenet"]
    for k in range(4):
        ref = reference_clip(frames, batch.indices[k], resize_short=256, mean=mean, std=std)
        assert_close_pixels(batch.data[k], ref, std, RGB_MEAN_MAX)
    # the generator form gives the same clips, and the caller's reader stays open
    for k, c in enumerate(clips(r, frames_per_clip=8, step=2, num_clips=4, norm="imagenet",
                                resize_short=256)):
        assert c.number == k
        np.testing.assert_array_equal(c.data, batch.data[k])
        np.testing.assert_array_equal(c.indices, batch.indices[k])
    assert r.get_frame_at(0).index == 0


def test_layouts_dtypes_and_norms_agree(vtest_avi):
    kw = dict(frames_per_clip=4, step=3, num_clips=1)
    base = next(clips(vtest_avi, **kw)).data
    tchw = next(clips(vtest_avi, layout="tchw", **kw)).data
    thwc = next(clips(vtest_avi, layout="THWC", **kw)).data
    np.testing.assert_array_equal(tchw, base.transpose(1, 0, 2, 3))
    np.testing.assert_array_equal(thwc, base.transpose(1, 2, 3, 0))
    half = next(clips(vtest_avi, dtype="float16", **kw)).data
    assert half.dtype == np.float16
    np.testing.assert_allclose(half.astype(np.float32), base, atol=2e-2)
    raw = next(clips(vtest_avi, dtype="uint8", **kw)).data
    unit = next(clips(vtest_avi, norm=None, **kw)).data
    assert raw.dtype == np.uint8 and np.abs(raw.astype(np.float32) - unit * 255).max() <= 0.5 + 1e-3
    # every preset is the same 0..1 pixels, normalised with torchvision's constants
    expected = {"kinetics": ((0.45,) * 3, (0.225,) * 3),
                "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
                "clip": ((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))}
    for name, (mean, std) in expected.items():
        got = next(clips(vtest_avi, norm=name, **kw)).data
        m = np.asarray(mean, np.float32)[:, None, None, None]
        s = np.asarray(std, np.float32)[:, None, None, None]
        np.testing.assert_allclose(got, (unit - m) / s, atol=1e-5)
    explicit = next(clips(vtest_avi, norm=((0.5,), (0.25, 0.5, 1.0)), **kw)).data
    per_channel = np.asarray([0.25, 0.5, 1.0], np.float32)[:, None, None, None]
    np.testing.assert_allclose(explicit, (unit - 0.5) / per_channel, atol=1e-5)


def test_plain_resize_and_rectangular_size(vtest_avi):
    c = next(clips(vtest_avi, frames_per_clip=2, crop="resize", size=160, norm=None))
    ref = reference_clip(pyav_rgb_frames(vtest_avi, c.indices), c.indices, size=160, crop="resize")
    assert_close_pixels(c.data, ref, (1, 1, 1), RGB_MEAN_MAX)
    assert next(clips(vtest_avi, frames_per_clip=2, size=(128, 96))).data.shape == (3, 2, 128, 96)


def test_uniform_60_keyframe_importance_input(vtest_avi):
    r = vxfast.VideoReader(vtest_avi)
    n = len(r)
    b = clip_batch(r, sample="uniform:60", layout="TCHW", norm="imagenet")
    assert b.data.shape == (1, 60, 3, 224, 224)
    want = np.floor(np.arange(60) * (n - 1) / 59 + 0.5).astype(np.int64)
    np.testing.assert_array_equal(b.indices[0], want)
    assert want[0] == 0 and want[-1] == n - 1
    # same frames as the reader's own uniform sampling, and same pixels as its fused path
    spec = vxfast.presets.imagenet(224, 224)
    seen = [(f.index, f.data.copy()) for f in r.frames(sample="uniform:60", preprocess=spec)]
    assert [i for i, _ in seen] == want.tolist()
    for t in (0, 17, 59):
        np.testing.assert_array_equal(b.data[0, t], seen[t][1])


def test_slowfast_pathways(vtest_avi):
    # torch.linspace(0, 31, 8).long(), PyTorchVideo's PackPathway for SlowFast 8x8
    np.testing.assert_array_equal(slow_indices(32, 4), [0, 4, 8, 13, 17, 22, 26, 31])
    np.testing.assert_array_equal(slow_indices(16, 2), np.linspace(0, 15, 8).astype(np.int64))
    c = next(clips(vtest_avi, frames_per_clip=32, step=2, alpha=4))
    slow, fast = c.pathways
    assert fast is c.data and fast.shape == (3, 32, 224, 224) and slow.shape == (3, 8, 224, 224)
    np.testing.assert_array_equal(slow, fast[:, slow_indices(32, 4)])
    b = clip_batch(vtest_avi, frames_per_clip=32, num_clips=2, alpha=4, layout="TCHW")
    np.testing.assert_array_equal(b.slow, b.data[:, slow_indices(32, 4)])
    assert next(clips(vtest_avi, frames_per_clip=4)).pathways[0].shape == (3, 4, 224, 224)


def test_consecutive_all(gop_video):
    got = list(clips(gop_video, frames_per_clip=16, step=2, num_clips="all", size=64))
    # 120 frames, clips of span 31 every 32 frames: starts 0, 32, 64 (96 + 31 > 120)
    assert [c.indices[0] for c in got] == [0, 32, 64]
    for c in got:
        np.testing.assert_array_equal(np.diff(c.indices), 2)


def test_short_video_pads_with_last_frame_or_raises(make_video):
    short = make_video("clips_short5.mp4", "-frames:v", "5", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                       input_args=("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"))
    r = vxfast.VideoReader(short)
    assert len(r) == 5
    c = next(clips(r, frames_per_clip=8, size=64))
    np.testing.assert_array_equal(c.indices, [0, 1, 2, 3, 4, 4, 4, 4])
    for t in range(5, 8):
        np.testing.assert_array_equal(c.data[:, t], c.data[:, 4])
    assert c.pts[-1] == c.pts[4]
    assert len(list(clips(r, frames_per_clip=8, num_clips="all", size=64))) == 1
    three = clip_batch(r, frames_per_clip=4, num_clips=3, size=64).indices
    assert three.tolist() == [[0, 1, 2, 3], [0, 1, 2, 3], [1, 2, 3, 4]]
    with pytest.raises(ValueError, match="short"):
        next(clips(r, frames_per_clip=8, short="error"))
    b = clip_batch(r, sample="uniform:8", size=64)  # more frames than the video: repeats
    np.testing.assert_array_equal(b.indices[0], [0, 1, 1, 2, 2, 3, 3, 4])


@pytest.mark.parametrize("kwargs, name", [
    (dict(frames_per_clip=0), "frames_per_clip"),
    (dict(frames_per_clip=2.5), "frames_per_clip"),
    (dict(step=-1), "step"),
    (dict(num_clips=0), "num_clips"),
    (dict(num_clips="some"), "num_clips"),
    (dict(num_clips=True), "num_clips"),
    (dict(size=0), "size"),
    (dict(size=(1, 2, 3)), "size"),
    (dict(crop="left"), "crop"),
    (dict(layout="NCHW"), "layout"),
    (dict(norm="coco"), "norm"),
    (dict(norm=((0.5,), (0.0,))), "norm"),
    (dict(norm=(1, 2, 3)), "norm"),
    (dict(dtype="int32"), "dtype"),
    (dict(sample="every:3"), "sample"),
    (dict(sample="uniform:0"), "sample"),
    (dict(sample="uniform:8", num_clips=2), "sample"),
    (dict(resize_short=-5), "resize_short"),
    (dict(crop="resize", resize_short=256), "resize_short"),
    (dict(alpha=0), "alpha"),
    (dict(alpha=32), "alpha"),
    (dict(short="trim"), "short"),
])
def test_bad_arguments_raise_value_error_naming_them(vtest_avi, kwargs, name):
    with pytest.raises(ValueError, match=name):
        clips(vtest_avi, **kwargs)  # checked before the first frame is decoded
    with pytest.raises(ValueError, match=name):
        clip_batch(vtest_avi, **kwargs)


def test_bad_video_argument(tmp_path):
    with pytest.raises(TypeError, match="video"):
        clips(42)
    with pytest.raises(vxfast.VideoError):
        clips(tmp_path / "missing.mp4")


def _formula(n, f, s, k):
    span = (f - 1) * s + 1
    rows = []
    if k == "all":
        start = 0
        while start + span <= n or not rows:
            rows.append([min(start + j * s, n - 1) for j in range(f)])
            start += f * s
        return rows
    for c in range(k):
        start = (2 * c + 1) * n // (2 * k) - span // 2
        start = min(max(start, 0), max(n - span, 0))
        rows.append([min(start + j * s, n - 1) for j in range(f)])
    return rows


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 400), f=st.integers(1, 40), s=st.integers(1, 6),
       k=st.one_of(st.integers(1, 12), st.just("all")))
def test_clip_indices_follow_the_documented_formula(n, f, s, k):
    idx = clip_indices(n, f, s, k)
    assert idx.dtype == np.int64 and idx.shape[1] == f
    assert idx.tolist() == _formula(n, f, s, k)
    assert idx.min() >= 0 and idx.max() <= n - 1
    span = (f - 1) * s + 1
    if n >= span:
        assert (np.diff(idx, axis=1) == s).all()
        if k != "all" and k > 1:
            assert (np.diff(idx[:, 0]) >= 0).all()


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 2000), count=st.integers(1, 120))
def test_uniform_indices_match_the_reader_rounding(n, count):
    got = clip_indices(n, sample=f"uniform:{count}")[0]
    want = [0] if count == 1 else [int(np.floor(j * (n - 1) / (count - 1) + 0.5)) for j in range(count)]
    assert got.tolist() == want


def test_embed_matches_onnxruntime_on_the_same_tensors(vtest_avi, models_dir):
    ort = pytest.importorskip("onnxruntime")
    path = models_dir / "yolov8n-dynamic.onnx"
    spec = vxfast.Resize(640)  # the model's own input: RGB 0..1 at 640x640
    e = vxfast.embed(vtest_avi, str(path), sample="uniform:3", preprocess=spec, batch_size=2)
    assert len(e) == 3 and e.vectors.shape == (3, 84 * 8400) and e.vectors.dtype == np.float32
    np.testing.assert_array_equal(e.index, [0, 170, 340])
    r = vxfast.VideoReader(vtest_avi)
    np.testing.assert_allclose(e.pts, np.asarray(r.frame_pts)[e.index])
    x = np.stack([f.data for f in r.get_frames_at(e.index.tolist(), preprocess=spec)])
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ref = sess.run(None, {sess.get_inputs()[0].name: x})[0].reshape(3, -1)
    np.testing.assert_allclose(e.vectors, ref, rtol=1e-3, atol=1e-3)
    n = vxfast.embed(r, str(path), sample="uniform:2", preprocess=spec, normalize=True)
    np.testing.assert_allclose(np.linalg.norm(n.vectors, axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="output"):
        vxfast.embed(r, str(path), preprocess=spec, output="nope")
    with pytest.raises(ValueError, match="batch_size"):
        vxfast.embed(r, str(path), preprocess=spec, batch_size=0)


def test_public_names_are_exported():
    assert vxfast.clips is clips and vxfast.clip_batch is clip_batch
    for name in ("Clip", "ClipBatch", "Embeddings", "embed", "clip_indices", "slow_indices"):
        assert name in vxfast.__all__ and hasattr(vxfast, name)
