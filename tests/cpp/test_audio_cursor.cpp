// cpp/audio: the sample FIFO against a plain reference model, and AudioCursor's positioning state
// machine (drop / decode forward / seek / restart) giving the samples one sequential read gives,
// for reads and windows in any order (PCM in WAV: exact).
#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "audio/audio_cursor.h"
#include "audio/sample_fifo.h"
#include "common/errors.h"
#include "test_support.h"

using vxfast::AudioCursor;
using vxfast::SampleFifo;

namespace {

uint64_t next_rand(uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return s >> 33;
}

std::string make_wav() {
  return vxtest::make_video("tone.wav", "-c:a pcm_s16le -ac 2", "sine=frequency=440:sample_rate=44100", 9.0);
}

}  // namespace

TEST(fifo_matches_reference_model) {
  SampleFifo fifo;
  fifo.reset(2, 100);
  std::deque<float> ref0, ref1;
  int64_t ref_begin = 100;
  uint64_t seed = 7;
  float value = 0;
  for (int step = 0; step < 5000; ++step) {
    if (next_rand(seed) % 3 != 0) {
      int64_t n = static_cast<int64_t>(next_rand(seed) % 700);
      float* const* w = fifo.reserve(n);
      for (int64_t i = 0; i < n; ++i) {
        w[0][i] = value;
        w[1][i] = -value;
        ref0.push_back(value);
        ref1.push_back(-value);
        value += 1;
      }
      fifo.commit(n);
    } else {
      int64_t to = ref_begin + static_cast<int64_t>(next_rand(seed) % 900);
      fifo.drop_to(to);
      while (ref_begin < to && !ref0.empty()) {
        ref0.pop_front();
        ref1.pop_front();
        ++ref_begin;
      }
    }
    REQUIRE_EQ(fifo.begin(), ref_begin);
    REQUIRE_EQ(fifo.size(), static_cast<int64_t>(ref0.size()));
    if (!ref0.empty()) {
      CHECK_EQ(fifo.channel(0)[0], ref0.front());
      CHECK_EQ(fifo.channel(1)[fifo.size() - 1], ref1.back());
    }
  }
}

TEST(reads_in_any_order_equal_one_sequential_read) {
  const std::string path = make_wav();
  AudioCursor seq(path, -1, 16000, 1);
  std::vector<std::vector<float>> full;
  seq.read(0, -1, full);
  REQUIRE(full.size() == 1);
  REQUIRE(full[0].size() > 16000 * 8);
  const int64_t n = static_cast<int64_t>(full[0].size());

  AudioCursor cur(path, -1, 16000, 1);
  uint64_t seed = 3;
  for (int i = 0; i < 40; ++i) {
    int64_t from = static_cast<int64_t>(next_rand(seed) % static_cast<uint64_t>(n + 2000));
    int64_t len = static_cast<int64_t>(next_rand(seed) % 20000);
    std::vector<std::vector<float>> part;
    cur.read(from, from + len, part);
    int64_t expect = std::max<int64_t>(0, std::min(from + len, n) - from);
    REQUIRE_EQ(static_cast<int64_t>(part[0].size()), expect);
    for (int64_t k = 0; k < expect; ++k) {
      if (part[0][k] != full[0][from + k]) {
        vxtest::fail(__FILE__, __LINE__, "sample " + std::to_string(from + k) + " differs after positioning");
        break;
      }
    }
  }
  CHECK(cur.stats().seeks > 0);
}

TEST(windows_equal_slices_of_the_sequential_read) {
  const std::string path = make_wav();
  AudioCursor seq(path, -1, 8000, 2);
  std::vector<std::vector<float>> full;
  seq.read(0, -1, full);
  const int64_t n = static_cast<int64_t>(full[0].size()), len = 777;
  const std::vector<double> times = {8.9, 0.01, 4.0, 4.05, 1.5, 20.0, 0.5, 7.0};
  std::vector<float> out(times.size() * 2 * len, -1.f);
  AudioCursor cur(path, -1, 8000, 2);
  cur.windows(times.data(), static_cast<int64_t>(times.size()), len, out.data());
  for (size_t i = 0; i < times.size(); ++i) {
    int64_t s = std::llround((times[i] - cur.start_time()) * 8000) - len / 2;
    for (int c = 0; c < 2; ++c) {
      for (int64_t k = 0; k < len; ++k) {
        float want = (s + k >= 0 && s + k < n) ? full[c][s + k] : 0.f;
        if (out[(i * 2 + c) * len + k] != want) {
          vxtest::fail(__FILE__, __LINE__, "window " + std::to_string(i) + " sample " + std::to_string(k));
          break;
        }
      }
    }
  }
}

TEST(missing_file_and_no_audio_are_video_errors) {
  bool thrown = false;
  try {
    AudioCursor c("/nonexistent/x.wav", -1, 16000, 1);
  } catch (const vxfast::VideoError&) {
    thrown = true;
  }
  CHECK(thrown);
  const std::string video = vxtest::make_video("silent.mp4", "-c:v mpeg4");
  thrown = false;
  try {
    AudioCursor c(video, -1, 16000, 1);
  } catch (const vxfast::VideoError& e) {
    thrown = std::string(e.what()).find("no audio stream") != std::string::npos;
  }
  CHECK(thrown);
}

// The parallel AAC-LC decode (threads > 1; ParallelAacDecode): the same samples and counters as the
// sequential decode for a full read and for reads in any order (seeks drop the workers' read-ahead),
// and destroying a cursor while its workers are busy. Under TSan this is the hand-off's race check.
TEST(parallel_aac_equals_sequential_in_any_order) {
  const std::string path = vxtest::make_video(
      "tone_nopns.m4a", "-c:a aac -aac_pns 0 -b:a 128k -ac 2",
      "aevalsrc='0.3*sin(2*PI*440*t)+0.05*(random(0)-0.5)|0.3*sin(2*PI*660*t)':s=44100", 12.0);
  AudioCursor seq(path, -1, 16000, 1, 1), par(path, -1, 16000, 1, 3);
  std::vector<std::vector<float>> a, b;
  seq.read(0, -1, a);
  par.read(0, -1, b);
  REQUIRE(a[0].size() > 16000 * 11);
  REQUIRE(a[0] == b[0]);
  CHECK_EQ(seq.stats().packets, par.stats().packets);
  CHECK_EQ(seq.stats().frames, par.stats().frames);
  const int64_t n = static_cast<int64_t>(a[0].size());
  AudioCursor cur(path, -1, 16000, 1, 2);
  uint64_t seed = 11;
  for (int i = 0; i < 25; ++i) {
    int64_t from = static_cast<int64_t>(next_rand(seed) % static_cast<uint64_t>(n));
    int64_t len = static_cast<int64_t>(next_rand(seed) % 60000);
    std::vector<std::vector<float>> part;
    cur.read(from, from + len, part);
    int64_t expect = std::max<int64_t>(0, std::min(from + len, n) - from);
    REQUIRE_EQ(static_cast<int64_t>(part[0].size()), expect);
    if (!std::equal(part[0].begin(), part[0].end(), a[0].begin() + from)) {
      vxtest::fail(__FILE__, __LINE__, "read from " + std::to_string(from) + " differs");
    }
  }
  for (int k = 0; k < 5; ++k) {  // torn down with blocks in flight
    AudioCursor early(path, -1, 16000, 1, 4);
    std::vector<std::vector<float>> part;
    early.read(0, 1000 * (k + 1), part);
    CHECK_EQ(static_cast<int64_t>(part[0].size()), 1000 * (k + 1));
  }
}
