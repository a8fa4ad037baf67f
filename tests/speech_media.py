"""Speech test audio made with espeak-ng + sox (no stored media): utterances in several voices,
separated by silence, with a little seeded noise, at 16 kHz mono float32."""
from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 16000
# Two clearly different voices (low male, dark / high female, bright) and a third for variety:
# espeak voice, pitch (0-99), sox effects applied after resampling.
VOICES = {"A": ("en-us+m3", 10, ["pitch", "-300", "lowpass", "2500"]),
          "B": ("en-gb+f4", 95, ["pitch", "400", "highpass", "400"]),
          "C": ("en+m1", 50, [])}
SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "Six spoons of fresh snow peas, five thick slabs of blue cheese.",
    "We also need a small plastic snake and a big toy frog for the kids.",
    "She can scoop these things into three red bags, and we will go meet her.",
    "Wednesday at the train station would be the best time for everybody.",
]


def say(text: str, voice: str, pitch: int, out: Path, effects: list[str] | None = None) -> np.ndarray:
    """One utterance as float32 16 kHz mono (espeak-ng writes 22.05 kHz; sox resamples)."""
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "165", "-w", str(raw), text],
                   check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *(effects or [])],
                   check=True, capture_output=True)
    with wave.open(str(out)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    x = pcm.astype(np.float32) / 32768.0
    nz = np.flatnonzero(np.abs(x) > 1e-3)  # trim espeak's own leading/trailing silence
    return x[nz[0]:nz[-1] + 1] if len(nz) else x


def conversation(tmp: Path, turns: list[tuple[str, int]], gaps: list[float], lead: float = 1.0,
                 tail: float = 1.0, noise: float = 0.003, seed: int = 0) -> tuple[np.ndarray, list]:
    """Utterances (voice key, sentence index) separated by ``gaps`` seconds of noise-only audio.
    Returns (samples, script) with script = [(start_s, end_s, voice_key), ...]."""
    rng = np.random.default_rng(seed)
    parts, script, t = [np.zeros(int(lead * RATE), np.float32)], [], lead
    for k, ((who, si), gap) in enumerate(zip(turns, gaps + [tail])):
        voice, pitch, effects = VOICES[who]
        x = say(SENTENCES[si % len(SENTENCES)], voice, pitch, tmp / f"u{k}_{who}.wav", effects)
        script.append((t, t + len(x) / RATE, who))
        parts += [x, np.zeros(int(gap * RATE), np.float32)]
        t += len(x) / RATE + int(gap * RATE) / RATE
    y = np.concatenate(parts)
    y += rng.normal(0, noise, len(y)).astype(np.float32)
    return y.astype(np.float32), script


def write_wav(path: Path, x: np.ndarray, rate: int = RATE) -> Path:
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def mux_into_video(wav: Path, out: Path) -> Path:
    """The speech as the AAC track of a small test-pattern H.264 MP4 (a path input with video)."""
    dur = wave.open(str(wav)).getnframes() / RATE
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc=size=160x120:rate=25:duration={dur:.3f}", "-i", str(wav),
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k",
                    "-shortest", str(out)], check=True, capture_output=True)
    return out
