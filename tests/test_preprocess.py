"""vxfast.preprocess against OpenCV + numpy references (Ultralytics letterbox, torchvision crop)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import vxfast
from test_preprocess_reference import normalize, torchvision_center_crop, ultralytics_letterbox


def assert_close_255(ours: np.ndarray, ref: np.ndarray) -> None:
    """The issue's bar for INTER_LINEAR agreement, in 0..255 units."""
    assert ours.shape == ref.shape
    d = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
    assert d.mean() <= 0.5, d.mean()
    assert d.max() <= 8, d.max()


@pytest.fixture(scope="module")
def bus(media_dir):
    img = cv2.imread(str(media_dir / "bus.jpg"))
    assert img is not None
    return img  # BGR, 1080x810


@pytest.fixture(scope="module")
def zidane(media_dir):
    img = cv2.imread(str(media_dir / "zidane.jpg"))
    assert img is not None
    return img  # BGR, 720x1280


def raw(spec_cls, *args, **kw):
    """A spec that outputs 0..255 HWC float32 (easy to compare with uint8 references)."""
    return spec_cls(*args, scale=1.0, layout="hwc", **kw)


@pytest.mark.parametrize("name", ["bus", "zidane"])
def test_letterbox_matches_ultralytics_on_real_images(name, request):
    bgr = request.getfixturevalue(name)
    rgb = np.ascontiguousarray(bgr[..., ::-1])
    tensor, info = vxfast.letterbox(rgb, 640)
    ref = ultralytics_letterbox(rgb)
    assert tensor.shape == (3, 640, 640) and tensor.dtype == np.float32
    assert_close_255(tensor * 255, ref.transpose(2, 0, 1))
    # padding bands are exact
    pl, pt = int(info.pad_left), int(info.pad_top)
    nw, nh = round(info.src_width * info.scale_x), round(info.src_height * info.scale_y)
    pad = np.float32(114 / 255)
    mask = np.ones((640, 640), bool)
    mask[pt:pt + nh, pl:pl + nw] = False
    assert mask.any()
    assert (tensor[:, mask] == pad).all()
    # BGR input gives the same tensor
    t2, _ = vxfast.letterbox(bgr, 640, input_order="bgr")
    np.testing.assert_array_equal(t2, tensor)


def test_letterbox_info_fields_and_inverse(zidane):
    _, info = vxfast.letterbox(zidane, 640)
    assert (info.scale_x, info.scale_y, info.pad_left, info.pad_top) == (0.5, 0.5, 0.0, 140.0)
    assert (info.src_width, info.src_height) == (1280, 720)
    boxes = np.array([[0, 140, 640, 500], [-10, 100, 700, 600], [320, 320, 330, 330]], np.float32)
    src = info.to_source(boxes)
    np.testing.assert_allclose(src[0], [0, 0, 1280, 720])
    np.testing.assert_allclose(src[1], [0, 0, 1280, 720])  # clipped
    np.testing.assert_allclose(src[2], [640, 360, 660, 380])
    np.testing.assert_allclose(info.to_tensor(src[2:]), boxes[2:])
    kpts = np.array([[[320, 320, 0.9], [0, 0, 0.1]]], np.float32)
    p = info.to_source_points(kpts)
    np.testing.assert_allclose(p, [[[640, 360, 0.9], [0, 0, 0.1]]])
    with pytest.raises(ValueError, match="xyxy"):
        info.to_source(np.zeros((3, 5)))


def test_inverse_maps_a_drawn_box_back(bus):
    """A rectangle painted in the source is found at to_source(box in tensor)."""
    img = np.zeros((1080, 810, 3), np.uint8)
    img[300:500, 100:400] = 255
    t, info = vxfast.letterbox(img, 640)
    ys, xs = np.nonzero(t[0] > 0.5)
    box = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)
    np.testing.assert_allclose(info.to_source(box), [100, 300, 400, 500], atol=2)


@pytest.mark.parametrize("kw", [dict(size=(384, 640)), dict(size=320, center=False),
                                dict(size=640, stride=32), dict(size=(480, 300), pad_value=0),
                                dict(size=2000)])
def test_letterbox_variants(zidane, kw):
    size = kw.pop("size")
    hw = (size, size) if isinstance(size, int) else size
    t, info = vxfast.preprocess(zidane, raw(vxfast.Letterbox, size, **kw))
    ref = ultralytics_letterbox(zidane, hw, pad=kw.get("pad_value", 114), center=kw.get("center", True),
                                stride=kw.get("stride"))
    assert_close_255(t, ref)
    if kw.get("stride"):
        assert t.shape == (384, 640, 3)


def test_no_scaleup_keeps_small_images():
    img = np.random.default_rng(0).integers(0, 256, (100, 200, 3), np.uint8)
    t, info = vxfast.preprocess(img, raw(vxfast.Letterbox, 640, scaleup=False))
    assert info.scale_x == 1.0 and (info.pad_left, info.pad_top) == (220, 270)
    np.testing.assert_array_equal(t[270:370, 220:420], img.astype(np.float32))


def test_resize_matches_cv2(bus):
    t, info = vxfast.preprocess(bus, raw(vxfast.Resize, (300, 500)))
    assert_close_255(t, cv2.resize(bus, (500, 300), interpolation=cv2.INTER_LINEAR))
    assert (info.pad_left, info.pad_top) == (0, 0)
    assert info.scale_x == pytest.approx(500 / 810) and info.scale_y == pytest.approx(300 / 1080)


@pytest.mark.parametrize("shape,size,short", [((1080, 810), 224, 256), ((720, 1280), 224, 256),
                                              ((720, 1280), (200, 300), None), ((50, 40), 224, 100)])
def test_center_crop_matches_torchvision_geometry(bus, shape, size, short):
    img = cv2.resize(bus, shape[::-1])
    hw = (size, size) if isinstance(size, int) else size
    t, info = vxfast.preprocess(img, raw(vxfast.CenterCrop, size, short))
    ref = torchvision_center_crop(img, hw, short or min(hw))
    assert_close_255(t, ref)
    # the crop's inverse maps the tensor's corners into the source
    src = info.to_source(np.array([0, 0, hw[1], hw[0]], np.float32))
    assert (src >= 0).all() and src[2] <= shape[1] and src[3] <= shape[0]


def test_normalization_order_layout_dtypes(zidane):
    rgb = np.ascontiguousarray(zidane[..., ::-1])
    spec = vxfast.presets.imagenet()
    t, _ = vxfast.preprocess(rgb, spec)
    ref = normalize(torchvision_center_crop(rgb), mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
    assert t.shape == (3, 224, 224)
    assert np.abs(t - ref).mean() <= 0.5 / 255 / 0.224
    # BGR output, HWC, float16 and uint8 from the same source
    tb, _ = vxfast.preprocess(rgb, vxfast.Letterbox(320, order="bgr", layout="hwc", dtype="float16"))
    tr, _ = vxfast.preprocess(rgb, vxfast.Letterbox(320))
    assert tb.dtype == np.float16 and tb.shape == (320, 320, 3)
    np.testing.assert_allclose(tb[..., ::-1].transpose(2, 0, 1).astype(np.float32), tr, atol=1e-3)
    tu, _ = vxfast.preprocess(rgb, vxfast.Letterbox(320, dtype="uint8", layout="hwc"))
    assert tu.dtype == np.uint8
    assert np.abs(tu.astype(np.float32) - (tr * 255).transpose(1, 2, 0)).max() <= 0.5 + 1e-3


def test_retinaface_preset_is_bgr_minus_mean(faces_bgr):
    spec = vxfast.presets.retinaface()
    t, info = vxfast.preprocess(faces_bgr, spec, input_order="bgr")
    ref = ultralytics_letterbox(faces_bgr, (640, 640), pad=(104, 117, 123), center=False)
    ref = normalize(ref, scale=1.0, mean=(104, 117, 123))
    assert_close_255(t, ref)
    assert info.pad_left == 0 and info.pad_top == 0
    assert (t[:, -1, :] == 0).all() or (t[:, :, -1] == 0).all()  # padding is 0 after the mean


@pytest.fixture(scope="module")
def faces_bgr(media_dir):
    img = cv2.imread(str(media_dir / "faces.jpg"))
    assert img is not None
    return img


def test_presets_shapes():
    assert vxfast.presets.yolo().output_shape(1920, 1080) == (3, 640, 640)
    assert vxfast.presets.yolo(640, stride=32).output_shape(1920, 1080) == (3, 384, 640)
    assert vxfast.presets.clip().output_shape(1920, 1080) == (3, 224, 224)
    assert vxfast.presets.kinetics(182, 182).output_shape(640, 480) == (3, 182, 182)
    assert vxfast.presets.yolo(dtype="float16").to_core().dtype == "float16"
    assert vxfast.Letterbox(640) == vxfast.presets.yolo() and "Letterbox(" in repr(vxfast.Letterbox())


def test_batch_and_out_slot(zidane):
    frames = np.stack([zidane, zidane[::-1].copy(), np.zeros_like(zidane)])
    spec = vxfast.presets.yolo(320)
    t, infos = vxfast.preprocess(frames, spec)
    assert t.shape == (3, 3, 320, 320) and len(infos) == 3
    for i in range(3):
        single, info = vxfast.preprocess(frames[i], spec)
        np.testing.assert_array_equal(t[i], single)
        assert info == infos[i]
    # a caller's slot of a larger batch is written in place, neighbours untouched
    batch = np.full((4, 3, 320, 320), -1, np.float32)
    out, _ = vxfast.preprocess(frames[1], spec, out=batch[2])
    assert np.shares_memory(out, batch)
    np.testing.assert_array_equal(batch[2], t[1])
    assert (batch[[0, 1, 3]] == -1).all()
    # a list of differently sized frames that give one tensor shape
    t2, infos2 = vxfast.preprocess([zidane, cv2.resize(zidane, (640, 360))], spec)
    assert t2.shape == (2, 3, 320, 320) and infos2[1].scale_x == 0.5


def test_strided_rows_are_read_in_place(zidane):
    crop = zidane[100:500, 200:900]  # strided rows, packed pixels: no copy needed
    t, _ = vxfast.preprocess(crop, raw(vxfast.Letterbox, 320))
    ref = ultralytics_letterbox(np.ascontiguousarray(crop), (320, 320))
    assert_close_255(t, ref)


def test_tiny_and_extreme_aspect_images():
    for shape in [(1, 1), (1, 60), (90, 1), (3, 5)]:
        img = np.random.default_rng(0).integers(0, 256, shape + (3,), np.uint8)
        t, info = vxfast.preprocess(img, raw(vxfast.Letterbox, 64))
        ref = ultralytics_letterbox(img, (64, 64))
        assert_close_255(t, ref)
    # where Ultralytics' cv2.resize would fail (a side rounds to 0 px) we keep one pixel
    t, info = vxfast.preprocess(np.zeros((1, 2000, 3), np.uint8), raw(vxfast.Letterbox, 64))
    assert t.shape == (64, 64, 3) and round(info.scale_y * 1) == 1


def test_simd_level_exposed():
    assert vxfast.simd_level() in ("scalar", "neon", "avx2", "avx512")
    assert vxfast.simd_info()["cpu"] in ("scalar", "neon", "avx2", "avx512")


BAD_INPUTS = [
    (lambda: np.zeros((10, 10, 3), np.float32), "dtype uint8"),
    (lambda: np.zeros((10, 10), np.uint8), "shape"),
    (lambda: np.zeros((10, 10, 4), np.uint8), "3 channels"),
    (lambda: np.zeros((0, 10, 3), np.uint8), "empty"),
    (lambda: np.zeros((10, 10, 3), np.uint8)[..., ::-1], "packed"),
    (lambda: np.zeros((10, 20, 3), np.uint8)[:, ::2], "packed"),
    (lambda: np.zeros((10, 10, 3), np.uint8).transpose(1, 0, 2), "packed"),
]


@pytest.mark.parametrize("make,match", BAD_INPUTS)
def test_bad_images_raise(make, match):
    with pytest.raises(ValueError, match=match):
        vxfast.preprocess(make(), vxfast.Letterbox(32))


def test_bad_specs_and_out_raise():
    for kw, match in [(dict(size=0), "size"), (dict(size=-5), "size"), (dict(size=(10,)), "size"),
                      (dict(size=100000), "height=100000"), (dict(size=64, stride=-1), "stride"),
                      (dict(size=64, dtype="int32"), "dtype"), (dict(size=64, layout="nchw"), "layout"),
                      (dict(size=64, std=0), "std"), (dict(size=64, mean=(1, 2)), "mean"),
                      (dict(size=64, order="rgba"), "order")]:
        with pytest.raises(ValueError, match=match):
            vxfast.Letterbox(**kw)
    with pytest.raises(ValueError, match="resize_short"):
        vxfast.CenterCrop(224, resize_short=0)
    with pytest.raises(ValueError, match="absurd"):
        vxfast.CenterCrop(224, resize_short=10000).output_shape(1000000, 1)
    img = np.zeros((20, 30, 3), np.uint8)
    spec = vxfast.Letterbox(32)
    for out, match in [(np.zeros((3, 32, 31), np.float32), "shape"), (np.zeros((3, 32, 32)), "dtype"),
                       (np.zeros((3, 32, 64), np.float32)[..., ::2], "C-contiguous"), ([1], "numpy")]:
        with pytest.raises(ValueError, match=match):
            vxfast.preprocess(img, spec, out=out)
    ro = np.zeros((3, 32, 32), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        vxfast.preprocess(img, spec, out=ro)
    with pytest.raises(TypeError, match="spec"):
        vxfast.preprocess(img, "letterbox")
    with pytest.raises(TypeError, match="ndarray"):
        vxfast.preprocess("img.jpg", spec)
    with pytest.raises(ValueError, match="input_order"):
        vxfast.preprocess(img, spec, input_order="yuv")
    with pytest.raises(ValueError, match="one shape"):
        vxfast.preprocess([np.zeros((20, 60, 3), np.uint8), np.zeros((60, 20, 3), np.uint8)],
                          vxfast.Letterbox(64, stride=32))
