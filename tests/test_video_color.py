"""One colour decision for every output path: the fused letterbox (decoder planes -> tensor) agrees
with rgb24 decode (swscale) followed by vxfast.letterbox, on BT.601/709/2020, limited and full range.
"""
from __future__ import annotations

import numpy as np
import pytest

import vxfast

from media_helpers import ffmpeg_rgb

# Smooth but saturated content: a wrong colour matrix is off by ~28 LSB, while the two paths'
# different arithmetic (swscale's fixed-point tables and per-pixel clamp, then a bilinear letterbox
# of uint8 pixels, against float conversion at each bilinear tap) stays within ~3 LSB.
SRC = ("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "0.4")
BT2020_TAGS = ("-colorspace", "bt2020nc", "-color_primaries", "bt2020", "-color_trc", "bt2020-10")

CASES = {
    # name: (vf, codec + tags, expected info.color_space, info.color_range, matrix, full_range)
    # The acceptance cases: BT.2020 and full range (mean <= 1 LSB, max <= 3 LSB).
    "bt2020_limited": ("scale=out_color_matrix=bt2020:out_range=tv,format=yuv420p",
                       ("-c:v", "libx264", "-crf", "12", *BT2020_TAGS, "-color_range", "tv"),
                       "bt2020nc", "tv", "bt2020", False),
    "bt2020_full": ("scale=out_color_matrix=bt2020:out_range=full,format=yuv420p",
                    ("-c:v", "libx264", "-crf", "12", *BT2020_TAGS, "-color_range", "pc"),
                    "bt2020nc", "pc", "bt2020", True),
    "bt2020_yuvj420p": ("scale=out_color_matrix=bt2020:out_range=full,format=yuvj420p",
                        ("-c:v", "libx264", "-crf", "12", *BT2020_TAGS, "-color_range", "pc"),
                        "bt2020nc", "pc", "bt2020", True),
    "bt709_full": ("scale=out_color_matrix=bt709:out_range=full,format=yuv420p",
                   ("-c:v", "libx264", "-crf", "12", "-colorspace", "bt709", "-color_range", "pc"),
                   "bt709", "pc", "bt709", True),
    # More cases (max <= 4 LSB): untagged reaches 3.25 on this content at a few saturated edges;
    # MJPEG's 4:2:2 chroma is first averaged to 4:2:0 for the fused kernel, so it differs a little
    # more where chroma changes vertically.
    "untagged_limited": ("scale=out_color_matrix=bt601:out_range=tv,format=yuv420p",
                         ("-c:v", "libx264", "-crf", "12"), "unknown", "unknown", "bt601", False),
    # MJPEG decodes to yuvj422p: the fused path first converts to yuv420p, keeping the full range.
    "mjpeg_yuvj422p": ("scale=out_range=full,format=yuvj422p", ("-c:v", "mjpeg", "-q:v", "2"),
                       None, "pc", "bt601", True),
}


@pytest.fixture(scope="module")
def color_clips(make_video):
    out = {}
    for name, (vf, args, *_rest) in CASES.items():
        ext = "avi" if "mjpeg" in name else "mp4"
        out[name] = make_video(f"color_{name}.{ext}", "-vf", f"gblur=sigma=2,{vf}", *args, input_args=SRC)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_fused_letterbox_agrees_with_rgb24_then_letterbox(color_clips, name):
    _, _, space, rng, matrix, full = CASES[name]
    path = color_clips[name]
    max_lsb = 3.0 if name.startswith(("bt2020", "bt709_full")) else 4.0
    with vxfast.VideoReader(path) as r:
        if space is not None:
            assert r.info.color_space == space
        assert r.info.color_range == rng
        for k in (0, 7):
            rgb = r.get_frame_at(k).data
            ref = vxfast.letterbox(rgb, 320)[0] * 255
            fused = r.get_frame_at(k, preprocess=vxfast.Letterbox(320)).data.astype(np.float64) * 255
            d = np.abs(fused - ref)
            assert d.mean() <= 1.0 and d.max() <= max_lsb, (name, k, d.mean(), d.max())
            # uint8 output (no normalisation) carries the same pixels
            u8 = r.get_frame_at(k, preprocess=vxfast.Letterbox(320, scale=1.0, dtype="uint8")).data
            du = np.abs(u8.astype(np.float64) - ref)
            assert du.mean() <= 1.0 and du.max() <= max_lsb + 0.5, (name, k, du.mean(), du.max())
        if matrix != "bt601":
            # The test can fail: the BT.601 matrix on the same planes is far off.
            y, u, v = (np.ascontiguousarray(p) for p in r.get_frame_at(7, format="yuv420p").planes)
            wrong, _ = vxfast.preprocess_yuv420(y, u, v, vxfast.Letterbox(320), matrix="bt601",
                                                full_range=full)
            assert np.abs(wrong * 255 - ref).max() > 10


@pytest.mark.parametrize("name", ["bt2020_limited", "bt2020_full", "mjpeg_yuvj422p"])
def test_rgb24_matches_the_ffmpeg_cli(color_clips, name):
    path = color_clips[name]
    with vxfast.VideoReader(path) as r:
        got = r.get_frame_at(3).data
        np.testing.assert_array_equal(got, ffmpeg_rgb(path, 3, r.info.width, r.info.height))


@pytest.mark.parametrize("name", ["bt2020_limited", "bt2020_full"])
def test_fused_matches_preprocess_yuv_with_the_streams_matrix(color_clips, name):
    """The decoder's choice equals asking preprocess_yuv420 for the tagged matrix and range."""
    _, _, _, _, matrix, full = CASES[name]
    with vxfast.VideoReader(color_clips[name]) as r:
        fused = r.get_frame_at(5, preprocess=vxfast.Letterbox(320)).data
        y, u, v = (np.ascontiguousarray(p) for p in r.get_frame_at(5, format="yuv420p").planes)
    t, _ = vxfast.preprocess_yuv420(y, u, v, vxfast.Letterbox(320), matrix=matrix, full_range=full)
    np.testing.assert_array_equal(fused, t)
