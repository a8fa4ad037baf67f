"""frames(preprocess=...): decoder planes straight to model tensors, against the RGB path + OpenCV."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast
from test_preprocess_reference import ultralytics_letterbox


def reference_letterbox(rgb: np.ndarray, size: int = 640) -> np.ndarray:
    """Ultralytics' LetterBox (INTER_LINEAR, pad 114, centred) then /255 (as its predictor divides), CHW."""
    return ultralytics_letterbox(rgb, (size, size)).transpose(2, 0, 1).astype(np.float32) / 255


@pytest.mark.parametrize("index", [0, 127, 340])
def test_fused_letterbox_matches_rgb_then_opencv(vtest_avi, index):
    r = vxfast.VideoReader(vtest_avi)
    f = r.get_frame_at(index, preprocess=vxfast.Letterbox(640))
    assert f.data.shape == (3, 640, 640) and f.data.dtype == np.float32
    ref = reference_letterbox(r.get_frame_at(index).data)
    d = np.abs(f.data - ref) * 255
    assert d.mean() <= 0.5 and d.max() <= 8
    np.testing.assert_array_equal(f.data[:, :140], ref[:, :140])  # padding exactly equal
    info = f.letterbox
    assert (info.pad_top, info.scale_x, info.src_width, info.src_height) == (140, 0.5, 1280, 720)


def test_fused_iteration_and_dtypes(vtest_avi):
    r = vxfast.VideoReader(vtest_avi)
    spec = vxfast.Letterbox(320, dtype="float16")
    frames = [(f.index, f.data.copy()) for f in r.frames(sample="every:100", preprocess=spec)]
    assert [i for i, _ in frames] == [0, 100, 200, 300]
    ref = {f.index: f.data for f in r.get_frames_at([0, 100, 200, 300], preprocess=spec)}
    for i, d in frames:
        assert d.dtype == np.float16 and d.shape == (3, 320, 320)
        np.testing.assert_array_equal(d, ref[i])


def test_fused_on_rotated_and_odd_sources(make_video, video_dir):
    from media_helpers import set_mp4_rotation

    base = make_video("pp_upright.mp4", "-t", "0.3", "-c:v", "libx264", "-pix_fmt", "yuv444p",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=321x241:rate=25"))
    r = vxfast.VideoReader(base)  # 4:4:4 odd-sized: goes through the yuv420p conversion first
    f = r.get_frame_at(2, preprocess=vxfast.Letterbox(160))
    ref = reference_letterbox(r.get_frame_at(2).data, 160)
    assert (np.abs(f.data - ref) * 255).mean() < 2.0
    rot = video_dir / "pp_rot.mp4"
    rot.write_bytes(make_video("pp_up420.mp4", "-t", "0.3", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                               input_args=("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25")).read_bytes())
    set_mp4_rotation(rot, 90)
    rr = vxfast.VideoReader(rot)
    t = rr.get_frame_at(1, preprocess=vxfast.Letterbox(160))
    ref = reference_letterbox(rr.get_frame_at(1).data, 160)
    assert (np.abs(t.data - ref) * 255).mean() < 1.0
    assert t.letterbox.src_width == 240 and t.letterbox.src_height == 320
