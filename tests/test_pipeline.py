"""Batch pipeline: order, partial batches, equality with the reader, errors (early stop and native
threads: test_native_threads.py)."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast


def test_batches_cover_every_frame_in_order(vtest_avi):
    r = vxfast.VideoReader(vtest_avi)
    spec = vxfast.Letterbox(320)
    with vxfast.Pipeline(r, spec, batch=8) as p:
        batches = [(b.count, b.indices.copy(), b.tensor.copy()) for b in p]
        stats = p.stats()
    assert [c for c, _, _ in batches] == [8] * 42 + [5]  # 341 = 42 * 8 + 5: partial last batch
    assert np.concatenate([i for _, i, _ in batches]).tolist() == list(range(341))
    assert stats["delivered"] == 341
    ref = r.get_frames_at([0, 9, 340], preprocess=spec)
    np.testing.assert_array_equal(batches[0][2][0], ref[0].data)
    np.testing.assert_array_equal(batches[1][2][1], ref[1].data)
    np.testing.assert_array_equal(batches[-1][2][4], ref[2].data)


def test_kept_batches_stay_valid(vtest_avi):
    spec = vxfast.Letterbox(128)
    kept = list(vxfast.Pipeline(vtest_avi, spec, batch=4, sample="every:30", prefetch=1))
    assert sum(b.count for b in kept) == 12
    r = vxfast.VideoReader(vtest_avi)
    for b in kept:
        for k, i in enumerate(b.indices):
            np.testing.assert_array_equal(b.tensor[k], r.get_frame_at(int(i), preprocess=spec).data)
    assert kept[0].letterbox.src_width == 1280


def test_errors_are_clear(vtest_avi, tmp_path):
    with pytest.raises(ValueError, match="batch"):
        vxfast.Pipeline(vtest_avi, batch=0)
    with pytest.raises(ValueError, match="sample"):
        vxfast.Pipeline(vtest_avi, sample="bogus")
    with pytest.raises(vxfast.VideoError, match="no such file"):
        vxfast.Pipeline(tmp_path / "missing.mp4")
