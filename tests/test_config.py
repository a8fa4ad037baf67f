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
    dbg = Config.from_profile("debug")
    assert (dbg.log_level, dbg.batch_size, dbg.tensorrt) == ("DEBUG", 1, False)
    assert dbg.sanity_checks


def test_bad_profile_name_is_named():
    with pytest.raises(ConfigError, match="'prod_rtx4090'.*dev_pi"):
        Config.from_profile("prod_rtx4090")


@pytest.mark.parametrize("key, value", [
    ("batch_size", 0), ("conf_threshold", 1.5), ("iou_threshold", -0.1), ("threads", -1),
    ("graph_optimization", "max"), ("log_level", "LOUD"), ("input_size", 650),
    ("providers", "cuda,warp_drive"), ("batch_size", True), ("conf_threshold", float("nan")),
    ("max_det", 0), ("input_size", 16),
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
    assert c.warmup == 1 and c.fp16 is False  # untouched fields stay the profile's
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
    assert gpu.tensorrt and gpu.batch_size == 8 and gpu.fp16
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
    input_size=st.sampled_from([320, 640, 1280]), max_det=st.integers(1, 1000),
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


def test_removed_fields_load_with_a_warning(tmp_path):
    """memory_budget_mb, vram_budget_mb and full_traces were documented but never read: they are
    gone from Config, and old files holding them still load (the values are dropped)."""
    p = tmp_path / "old.json"
    p.write_text('{"vxfast_config": 1, "batch_size": 2, "memory_budget_mb": 512, "full_traces": true}')
    with pytest.warns(DeprecationWarning, match="memory_budget_mb"):
        c = Config.load(p)
    assert c.batch_size == 2 and not hasattr(c, "memory_budget_mb")
    import dataclasses
    assert {f.name for f in dataclasses.fields(Config)}.isdisjoint(
        {"memory_budget_mb", "vram_budget_mb", "full_traces"})
