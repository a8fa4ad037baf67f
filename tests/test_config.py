"""vxfast.Config: profiles, environment overrides, JSON round trip, validation, resolution settings."""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from vxfast import Config, ConfigError, GpuInfo, HardwareInfo
from vxfast.config import resolve_config

CPU_BOX = HardwareInfo(cpu_cores=2, simd="avx512", providers=("CPUExecutionProvider",),
                       memory_mb=16000)
GPU_BOX = HardwareInfo(cpu_cores=16, simd="avx2",
                       providers=("TensorrtExecutionProvider", "CUDAExecutionProvider",
                                  "CPUExecutionProvider"),
                       gpus=(GpuInfo("NVIDIA GeForce RTX 3090", 24576),), memory_mb=64000)


def test_builtin_profiles_say_what_the_issue_asks():
    assert set(Config.profiles()) == {"dev_pi", "prod_rtx3090", "debug"}
    pi = Config.from_profile("dev_pi")
    assert (pi.providers, pi.tensorrt, pi.batch_size) == ("cpu", False, 1) and pi.threads <= 4
    rtx = Config.from_profile("prod_rtx3090")
    assert rtx.providers.startswith("tensorrt,cuda") and rtx.fp16 and rtx.batch_size == 8
    assert rtx.vram_budget_mb == 24 * 1024
    dbg = Config.from_profile("debug")
    assert (dbg.log_level, dbg.batch_size, dbg.tensorrt) == ("DEBUG", 1, False)
    assert dbg.sanity_checks and dbg.full_traces


def test_bad_profile_name_is_named():
    with pytest.raises(ConfigError, match="'prod_rtx4090'.*dev_pi"):
        Config.from_profile("prod_rtx4090")


@pytest.mark.parametrize("key, value", [
    ("batch_size", 0), ("conf_threshold", 1.5), ("iou_threshold", -0.1), ("threads", -1),
    ("graph_optimization", "max"), ("log_level", "LOUD"), ("input_size", 650),
    ("providers", "cuda,warp_drive"), ("batch_size", True), ("conf_threshold", float("nan")),
    ("memory_budget_mb", 1),
])
def test_out_of_range_values_are_named(key, value):
    with pytest.raises(ConfigError, match=key):
        Config().replace(**{key: value})


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match="batchsize"):
        Config.from_dict({"batchsize": 4})


def test_config_is_immutable_and_validate_returns_itself():
    c = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.batch_size = 4  # type: ignore[misc]
    assert c.validate() is c


def test_env_overrides():
    env = {"VXFAST_CONF_THRESHOLD": "0.4", "VXFAST_IOU_THRESHOLD": "0.6", "VXFAST_MODEL_DIR": "/m",
           "VXFAST_BATCH_SIZE": "4", "VXFAST_THREADS": "3", "VXFAST_PROVIDERS": "cuda,cpu"}
    c = Config.from_profile("dev_pi").with_env(env)
    assert (c.conf_threshold, c.iou_threshold, c.model_dir) == (0.4, 0.6, "/m")
    assert (c.batch_size, c.threads, c.providers) == (4, 3, "cuda,cpu")
    assert c.memory_budget_mb == 512  # untouched fields stay the profile's
    assert Config.from_env({"VXFAST_PROFILE": "debug", "VXFAST_BATCH_SIZE": "2"}).batch_size == 2


@pytest.mark.parametrize("var, value", [("VXFAST_BATCH_SIZE", "eight"), ("VXFAST_BATCH_SIZE", "0"),
                                        ("VXFAST_CONF_THRESHOLD", "2"), ("VXFAST_PROFILE", "nope")])
def test_bad_env_value_is_named(var, value):
    with pytest.raises(ConfigError, match=var if var != "VXFAST_PROFILE" else "nope"):
        Config.from_env({var: value})


def test_auto_detect_uses_hardware_and_profile_env_wins():
    cpu = Config.auto_detect(env={}, hardware=CPU_BOX)
    assert cpu.providers == "cpu" and cpu.threads == 2 and cpu.batch_size == 1 and not cpu.tensorrt
    gpu = Config.auto_detect(env={}, hardware=GPU_BOX)
    assert gpu.tensorrt and gpu.batch_size == 8 and 0 < gpu.vram_budget_mb <= 24576
    forced = Config.auto_detect(env={"VXFAST_PROFILE": "dev_pi", "VXFAST_THREADS": "1"},
                                hardware=GPU_BOX)
    assert forced.name == "dev_pi" and forced.threads == 1


def test_detect_hardware_on_this_machine():
    import os
    hw = vxfast.detect_hardware()
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert hw.cpu_cores == expected
    assert hw.simd in {"avx512", "avx2", "neon", "scalar", "unknown"} or hw.simd
    import onnxruntime
    assert hw.providers == tuple(onnxruntime.get_available_providers())
    assert Config.auto_detect(env={}).validate()


_valid = st.builds(
    Config,
    name=st.text(min_size=1, max_size=12),
    providers=st.sampled_from(["auto", "cpu", "cuda,cpu", "tensorrt,cuda,cpu"]),
    tensorrt=st.booleans(), fp16=st.booleans(), batch_size=st.integers(1, 64),
    threads=st.integers(0, 64), conf_threshold=st.floats(0, 1), iou_threshold=st.floats(0, 1),
    model_dir=st.one_of(st.none(), st.text(max_size=20)),
    input_size=st.sampled_from([320, 640, 1280]), memory_budget_mb=st.integers(16, 1 << 16),
    graph_optimization=st.sampled_from(["disable", "basic", "extended", "all"]),
)


@settings(max_examples=50, deadline=None)
@given(_valid)
def test_save_load_round_trip(tmp_path_factory, cfg):
    path = tmp_path_factory.mktemp("cfg") / "c.json"
    cfg.save(path)
    assert Config.load(path) == cfg


def test_load_names_file_and_bad_key(tmp_path):
    p = tmp_path / "c.json"
    p.write_text(json.dumps({"vxfast_config": 1, "batch_size": 2, "colour": "blue"}))
    with pytest.raises(ConfigError, match=r"c\.json.*colour"):
        Config.load(p)
    p.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.load(p)
    with pytest.raises(ConfigError, match="cannot be read"):
        Config.load(tmp_path / "missing.json")


def test_resolve_config_precedence():
    env = {"VXFAST_PROFILE": "debug", "VXFAST_THREADS": "3"}
    assert resolve_config(None, env).name == "debug"
    named = resolve_config("dev_pi", env)
    assert named.name == "dev_pi" and named.threads == 3  # explicit profile beats VXFAST_PROFILE
    given_cfg = Config(threads=5)
    assert resolve_config(given_cfg, env) is given_cfg
    with pytest.raises(ConfigError, match="profile"):
        resolve_config(42, env)  # type: ignore[arg-type]


@pytest.mark.parametrize("w, h, label", [(1920, 1080, "1080p"), (3840, 2160, "4K"),
                                         (7680, 4320, "8K"), (1000, 3000, "1000x3000")])
def test_settings_for_resolution_fit_the_budget(w, h, label):
    for name in Config.profiles():
        cfg = Config.from_profile(name)
        s = cfg.settings_for_resolution(w, h)
        assert s.label == label and 1 <= s.batch <= cfg.batch_size
        # Decoded frame after prescale is never below 2x the input, and the prescale is a power of 2.
        assert s.prescale & (s.prescale - 1) == 0
        assert max(w, h) / s.prescale >= 2 * s.input_size or s.prescale == 1
        dec_w, dec_h = -(-w // s.prescale), -(-h // s.prescale)
        assert s.scale == pytest.approx(min(s.input_size / dec_w, s.input_size / dec_h))
        assert s.slot_bytes == 2 * s.batch * s.bytes_per_frame <= cfg.memory_budget_mb << 20


def test_settings_shrink_batch_under_a_small_budget():
    big = Config(batch_size=16, memory_budget_mb=4096).settings_for_resolution(3840, 2160)
    small = Config(batch_size=16, memory_budget_mb=64).settings_for_resolution(3840, 2160)
    assert big.batch == 16 and small.batch < big.batch and small.prescale == 2
    with pytest.raises(ConfigError, match="memory_budget_mb"):
        Config(memory_budget_mb=16).settings_for_resolution(7680 * 4, 4320 * 4)
    with pytest.raises(ConfigError, match="width"):
        Config().settings_for_resolution(0, 1080)
