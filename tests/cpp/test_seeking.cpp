// Seeking in cpp/decode: random access (RandomAccess) and index-planned sampling (FrameSampler)
// land on the same pixels and timestamps as one sequential decode of the whole file, on a file
// whose frames are found by pts (H.264 in MP4 with B-frames) and one where they are counted (MPEG-4
// with B-frames in AVI), plus the shared vtest.avi when it is there.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/errors.h"
#include "decode/sample_spec.h"
#include "decode/video_reader.h"
#include "test_support.h"

using vxfast::FrameMeta;
using vxfast::FrameSampler;
using vxfast::RandomAccess;
using vxfast::ReaderOptions;
using vxfast::SampleSpec;
using vxfast::VideoSource;

namespace {

struct Decoded {
  std::vector<std::vector<uint8_t>> pixels;
  std::vector<FrameMeta> metas;
};

std::shared_ptr<vxtest::PlaneWriter> writer_for(const VideoSource& src) {
  const auto& in = src.info();
  return std::make_shared<vxtest::PlaneWriter>(in.width, in.height, av_get_pix_fmt(in.pix_fmt.c_str()));
}

std::shared_ptr<const VideoSource> open(const std::string& path, int threads = 1) {
  ReaderOptions o;
  o.threads = threads;
  return std::make_shared<const VideoSource>(path, o);
}

Decoded sample(const std::shared_ptr<const VideoSource>& src, const std::string& spec) {
  auto w = writer_for(*src);
  FrameSampler s(src, SampleSpec::parse(spec, -1, -1), w);
  Decoded out;
  std::vector<uint8_t> buf(w->bytes());
  FrameMeta m;
  while (s.next(buf.data(), m)) {
    // A repeat leaves dst untouched: it is the previous frame again.
    if (m.repeat && !out.pixels.empty()) buf = out.pixels.back();
    out.pixels.push_back(buf);
    out.metas.push_back(m);
  }
  return out;
}

Decoded random_access(RandomAccess& ra, const VideoSource& src, const std::vector<int64_t>& indices) {
  auto w = writer_for(src);
  Decoded out;
  out.pixels.assign(indices.size(), std::vector<uint8_t>(w->bytes()));
  std::vector<uint8_t*> dsts;
  for (auto& p : out.pixels) dsts.push_back(p.data());
  ra.decode(indices, *w, dsts, out.metas);
  return out;
}

// The sequential decode every seek is compared with.
Decoded sequential(const std::shared_ptr<const VideoSource>& src) {
  Decoded all = sample(src, "all");
  REQUIRE_EQ(static_cast<int64_t>(all.pixels.size()), src->info().frame_count);
  for (size_t i = 0; i < all.metas.size(); ++i) REQUIRE_EQ(all.metas[i].index, static_cast<int64_t>(i));
  // Every frame of the test pattern differs from the one before, so a seek that lands one frame
  // off cannot pass the pixel comparison.
  for (size_t i = 1; i < all.pixels.size(); ++i) REQUIRE(all.pixels[i] != all.pixels[i - 1]);
  return all;
}

void expect_frames(const Decoded& got, const std::vector<int64_t>& indices, const Decoded& ref,
                   const std::string& what) {
  REQUIRE_EQ(got.pixels.size(), indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const auto k = static_cast<size_t>(indices[i]);
    if (got.pixels[i] != ref.pixels[k]) {
      vxtest::fail(__FILE__, __LINE__, what + ": pixels of frame " + std::to_string(k) + " differ");
    }
    CHECK_EQ(got.metas[i].index, indices[i]);
    CHECK_EQ(got.metas[i].pts, ref.metas[k].pts);
    CHECK_EQ(got.metas[i].keyframe, ref.metas[k].keyframe);
  }
}

void check_random_access(const std::string& path) {
  auto src = open(path);
  const Decoded ref = sequential(src);
  const int64_t n = src->info().frame_count;
  REQUIRE(n >= 20);
  RandomAccess ra(src);

  // Forward jumps across GOPs, a neighbour, and the first and last frames, in one call.
  const std::vector<int64_t> forward = {0, 3, 4, n / 2, n / 2 + 7, n - 2, n - 1};
  expect_frames(random_access(ra, *src, forward), forward, ref, path + " forward");

  // Backward seeks, one call each (the session is reused between calls).
  for (int64_t i : {n - 1, n / 2 + 1, 5L, 0L, 1L, n - 3}) {
    expect_frames(random_access(ra, *src, {i}), {i}, ref, path + " backward " + std::to_string(i));
  }

  // Past the end: a VideoError naming the frame; the reader is still usable afterwards.
  CHECK_THROWS(random_access(ra, *src, {n}), vxfast::VideoError, "frame");
  CHECK_THROWS(random_access(ra, *src, {n + 1000}), vxfast::VideoError, path);
  expect_frames(random_access(ra, *src, {n - 1}), {n - 1}, ref, path + " after an error");
  CHECK_THROWS(random_access(ra, *src, {-1}), std::exception, "");

  // A fresh reader per index (no session to reuse) agrees too.
  for (int64_t i : {n - 1, 2L, n / 3}) {
    RandomAccess fresh(src);
    expect_frames(random_access(fresh, *src, {i}), {i}, ref, path + " fresh " + std::to_string(i));
  }

  // Index-planned sampling seeks forward over skipped frames; it must deliver the same frames.
  for (const char* spec_text : {"every:7", "uniform:5", "every:3"}) {
    const std::string spec = spec_text;
    const Decoded got = sample(src, spec);
    std::vector<int64_t> indices;
    for (const auto& m : got.metas) indices.push_back(m.index);
    REQUIRE(!indices.empty());
    CHECK_EQ(indices.front(), 0);
    if (spec == "every:7") CHECK_EQ(static_cast<int64_t>(indices.size()), (n + 6) / 7);
    expect_frames(got, indices, ref, path + " " + spec);
  }
}

}  // namespace

TEST(random_access_h264_mp4_matches_sequential_decode) {
  // B-frames and a short GOP: seeks land mid-GOP and frames leave the decoder reordered.
  check_random_access(vxtest::make_video(
      "h264_bframes.mp4", "-c:v libx264 -pix_fmt yuv420p -g 12 -bf 2 -x264-params scenecut=0"));
}

TEST(random_access_mpeg4_avi_matches_sequential_decode) {
  // AVI carries no pts: frames are identified by counting from the keyframe.
  check_random_access(vxtest::make_video("mpeg4_bframes.avi", "-c:v mpeg4 -q:v 4 -g 10 -bf 1"));
}

TEST(random_access_vtest_avi_matches_sequential_decode) {
  const std::string path = vxtest::shared_media("vtest.avi");
  if (path.empty()) SKIP("vtest.avi not found (set VXFAST_SHARED)");
  check_random_access(path);
}

TEST(decoder_threads_give_the_same_frames) {
  // FFmpeg frame threads change when frames come out, never which.
  const std::string path = vxtest::make_video(
      "h264_bframes.mp4", "-c:v libx264 -pix_fmt yuv420p -g 12 -bf 2 -x264-params scenecut=0");
  const Decoded one = sequential(open(path, 1));
  auto src = open(path, 4);
  const Decoded four = sequential(src);
  CHECK(one.pixels == four.pixels);
  RandomAccess ra(src);
  const std::vector<int64_t> idx = {1, 30, 31, 49};
  expect_frames(random_access(ra, *src, idx), idx, one, "4 threads");
}

TEST(missing_file_is_a_video_error_naming_it) {
  const std::string path = vxtest::temp_dir().file("does-not-exist.mp4");
  CHECK_THROWS(open(path), vxfast::VideoError, "does-not-exist.mp4");
}
