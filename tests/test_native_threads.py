"""No native thread survives the end of an iteration, however it ends: an early ``break``, an
exception in the consumer, garbage collection of an iterator nobody closed, or an error in the C++
producer (which must reach the consumer as a Python exception).

Threads are counted in /proc/self/task, so the C++ producer thread and FFmpeg's decoder threads are
seen (Python's ``threading`` module sees neither). Each scenario first runs once to let process-wide
pools start (onnxruntime's, held by the already loaded model; the postprocess task pool), then runs
again three times between the two counts, so a single leaked thread per run shows.
"""
from __future__ import annotations

import gc
import os
import shutil

import pytest

import vxfast
from native_threads import HAVE_PROC_TASKS, native_thread_count, wait_for_thread_count

pytestmark = pytest.mark.skipif(not HAVE_PROC_TASKS, reason="needs /proc/self/task (Linux)")


def assert_leaves_no_thread(scenario, runs: int = 3, saw_threads: bool = True) -> None:
    """scenario(before) runs one iteration to its end and returns the most threads it saw meanwhile
    (saw_threads=False: it had no chance to look, e.g. the producer failed at once)."""
    gc.collect()
    scenario(native_thread_count())  # warm-up: process-wide pools start here, once
    gc.collect()
    before = native_thread_count()
    peaks = [scenario(before) for _ in range(runs)]
    after = wait_for_thread_count(before)
    assert after <= before, f"{after - before} native thread(s) left behind ({before} before)"
    if saw_threads:  # the scenario did run native threads (else this test could not fail)
        assert max(peaks) > before


@pytest.fixture(scope="module")
def model2(models_dir):
    """YOLOv8n with two streams: detect() then also runs a Python worker pool."""
    return vxfast.Model(models_dir / "yolov8n.onnx", streams=2)


@pytest.fixture(scope="module")
def damaged_avi(make_video, tmp_path_factory):
    """An AVI whose chunks are all intact but whose every video payload is garbage: it opens and
    indexes, and no frame decodes, so the error comes from the decoding (producer) side."""
    src = make_video("plain_mpeg4.avi", "-t", "2", "-an", "-c:v", "mpeg4", "-g", "10",
                     input_args=("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"))
    data = bytearray(src.read_bytes())
    pos, smashed = data.find(b"movi"), 0
    while (j := data.find(b"00dc", pos)) >= 0:
        size = int.from_bytes(data[j + 4:j + 8], "little")
        if 0 < size and j + 8 + size <= len(data):
            data[j + 8:j + 8 + size] = bytes((k * 37 + 11) % 256 for k in range(size))
            smashed += 1
        pos = j + 8 + max(size, 0)
    assert smashed >= 40
    out = tmp_path_factory.mktemp("damaged") / "damaged.avi"
    out.write_bytes(bytes(data))
    return out


# ---- an early break ------------------------------------------------------------------------------

def test_pipeline_break(vtest_avi):
    def scenario(before):
        peak = 0
        for i, _ in enumerate(vxfast.Pipeline(vtest_avi, vxfast.Letterbox(160), batch=2, threads=2)):
            peak = max(peak, native_thread_count())
            if i == 1:
                break
        return peak
    assert_leaves_no_thread(scenario)


def test_pipeline_close_joins_at_once(vtest_avi):
    """Leaving the with-block joins the producer and the decoder threads before it returns."""
    def scenario(before):
        with vxfast.Pipeline(vtest_avi, vxfast.Letterbox(160), batch=2, threads=2) as p:
            for i, b in enumerate(p):  # noqa: B007  (b is used after the loop)
                peak = native_thread_count()
                if i == 2:
                    break
        held = b  # a batch still held after close stays a valid array
        assert held.tensor.shape[0] == 2
        assert wait_for_thread_count(before) <= before
        return peak
    assert_leaves_no_thread(scenario)


def test_video_reader_frames_break(vtest_avi):
    reader = vxfast.VideoReader(vtest_avi, threads=3)

    def scenario(before):
        peak = 0
        for i, _ in enumerate(reader.frames(format="gray")):
            peak = max(peak, native_thread_count())
            if i == 5:
                break
        return peak
    assert_leaves_no_thread(scenario)


def test_detect_break(vtest_avi, model2):
    def scenario(before):
        peak = 0
        for i, _ in enumerate(vxfast.detect(vtest_avi, model2, batch=2)):
            peak = max(peak, native_thread_count())
            if i == 4:
                break
        return peak
    assert_leaves_no_thread(scenario)


# ---- an exception in the consumer ----------------------------------------------------------------

class ConsumerError(Exception):
    pass


def test_pipeline_consumer_exception(vtest_avi):
    def scenario(before):
        seen = []
        with pytest.raises(ConsumerError):
            with vxfast.Pipeline(vtest_avi, vxfast.Letterbox(160), batch=2, threads=2) as p:
                for _ in p:
                    seen.append(native_thread_count())
                    raise ConsumerError
        return max(seen)
    assert_leaves_no_thread(scenario)


def test_video_reader_frames_consumer_exception(vtest_avi):
    reader = vxfast.VideoReader(vtest_avi, threads=3)

    def scenario(before):
        seen = []
        with pytest.raises(ConsumerError):
            for f in reader.frames():
                seen.append(native_thread_count())
                if f.index == 3:
                    raise ConsumerError
        return max(seen)
    assert_leaves_no_thread(scenario)


def test_detect_consumer_exception(vtest_avi, model2):
    def scenario(before):
        seen = []
        with pytest.raises(ConsumerError):
            for r in vxfast.detect(vtest_avi, model2, batch=2):
                seen.append(native_thread_count())
                if r.index == 2:
                    raise ConsumerError
        return max(seen)
    assert_leaves_no_thread(scenario)


# ---- garbage collection of an iterator nobody closed ---------------------------------------------

def _drop_in_a_cycle(obj) -> None:
    """Leaves obj reachable only from a reference cycle, so only the cycle collector frees it."""
    cycle: dict = {"obj": obj}
    cycle["self"] = cycle


@pytest.mark.parametrize("kind", ["pipeline", "frames", "detect"])
def test_unclosed_iterator_collected(vtest_avi, model2, kind):
    def scenario(before):
        if kind == "pipeline":
            it = iter(vxfast.Pipeline(vtest_avi, vxfast.Letterbox(160), batch=2, threads=2))
        elif kind == "frames":
            it = iter(vxfast.VideoReader(vtest_avi, threads=3).frames())
        else:
            it = iter(vxfast.detect(vtest_avi, model2, batch=2))
        next(it)
        next(it)
        peak = native_thread_count()
        _drop_in_a_cycle(it)
        del it
        gc.collect()
        return peak
    assert_leaves_no_thread(scenario)


# ---- an error in the C++ producer ----------------------------------------------------------------

def test_producer_error_reaches_the_pipeline_consumer(damaged_avi):
    def scenario(before):
        with pytest.raises(vxfast.VideoError, match=r"damaged\.avi"):
            for _ in vxfast.Pipeline(damaged_avi, vxfast.Letterbox(64), batch=2, threads=2):
                pass
        return 0
    assert_leaves_no_thread(scenario, saw_threads=False)


def test_producer_error_reaches_detect(damaged_avi, model2):
    with pytest.raises(vxfast.VideoError, match=r"damaged\.avi"):
        for _ in vxfast.detect(damaged_avi, model2, batch=2):
            pass


def test_producer_error_when_the_file_goes_away(make_video, tmp_path):
    """The producer opens its own decoder; a file removed after the reader indexed it is a
    VideoError naming it in the consumer, and no thread is left."""
    src = make_video("plain_mpeg4.avi", "-t", "2", "-an", "-c:v", "mpeg4", "-g", "10",
                     input_args=("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"))
    before = native_thread_count()
    for k in range(3):
        path = tmp_path / f"vanishing{k}.avi"
        shutil.copy(src, path)
        reader = vxfast.VideoReader(path)
        os.remove(path)
        with pytest.raises(vxfast.VideoError, match=rf"vanishing{k}\.avi"):
            for _ in vxfast.Pipeline(reader, vxfast.Letterbox(64), batch=2):
                pass
    gc.collect()
    assert wait_for_thread_count(before) <= before
