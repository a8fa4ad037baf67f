#pragma once
// Helpers shared by the C++ tests: native thread counts, bounded waits, small videos made with the
// ffmpeg CLI in a temporary directory, and a FrameWriter that copies a decoded frame's planes as
// they are (no conversion, so the comparison depends on the decoder alone).
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#include "check.h"
#include "decode/frame_writer.h"

namespace vxtest {

// Threads of this process as the kernel sees them: C++, FFmpeg and any other native threads.
inline int native_thread_count() {
  DIR* d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

// The count to compare with after a test: the sanitizer runtimes start a helper thread of their
// own with the process's first thread, so start (and join) one before counting.
inline int baseline_thread_count() {
  std::thread([] {}).join();
  return native_thread_count();
}

// Polls pred until it holds or `limit` passes; a joined thread can stay listed in /proc for a
// moment after pthread_join returns. Returns pred's last value.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(2000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A temporary directory removed (with its files) when the test program exits.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vxfast-cpp-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = buf.data();
  }
  ~TempDir() {
    for (const auto& f : files_) unlink(f.c_str());
    rmdir(path_.c_str());
  }
  std::string file(const std::string& name) {
    files_.push_back(path_ + "/" + name);
    return files_.back();
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

inline TempDir& temp_dir() {
  static TempDir dir;
  return dir;
}

inline std::string ffmpeg_cli() {
  const char* env = std::getenv("VXFAST_FFMPEG");
  if (env && *env && access(env, X_OK) == 0) return env;
  return "ffmpeg";
}

// Makes `name` in the temporary directory from a lavfi test pattern with the given output
// options (once per program); skips the calling test when the ffmpeg CLI is missing or fails.
inline std::string make_video(const std::string& name, const std::string& out_args,
                              const std::string& pattern = "testsrc2=size=96x64:rate=25",
                              double seconds = 2.0) {
  static std::vector<std::pair<std::string, std::string>> made;
  for (const auto& m : made) {
    if (m.first == name) return m.second;
  }
  const std::string out = temp_dir().file(name);
  const std::string cmd = ffmpeg_cli() + " -hide_banner -loglevel error -y -f lavfi -i " + pattern +
                          " -t " + std::to_string(seconds) + " " + out_args + " " + out +
                          " </dev/null";
  if (std::system(cmd.c_str()) != 0) SKIP("could not make " + name + " with: " + cmd);
  made.emplace_back(name, out);
  return out;
}

// The shared sample video (VXFAST_SHARED, else ../shared next to the source tree), or "".
inline std::string shared_media(const std::string& rel) {
  std::vector<std::string> roots;
  if (const char* s = std::getenv("VXFAST_SHARED")) roots.emplace_back(s);
  if (const char* src = std::getenv("VXFAST_TEST_SOURCE_DIR")) roots.emplace_back(std::string(src) + "/../shared");
  for (const auto& r : roots) {
    const std::string p = r + "/media/" + rel;
    if (access(p.c_str(), R_OK) == 0) return p;
  }
  return "";
}

// Copies a decoded frame's planes, tightly packed, in the frame's own pixel format.
class PlaneWriter : public vxfast::FrameWriter {
 public:
  PlaneWriter(int width, int height, AVPixelFormat fmt) : w_(width), h_(height), fmt_(fmt) {
    const int n = av_image_get_buffer_size(fmt, width, height, 1);
    if (n <= 0) throw std::invalid_argument("PlaneWriter: unsupported size or format");
    bytes_ = static_cast<size_t>(n);
  }
  std::vector<ptrdiff_t> shape() const override { return {static_cast<ptrdiff_t>(bytes_)}; }
  size_t bytes() const override { return bytes_; }
  void write(const AVFrame* f, uint8_t* dst) override {
    if (f->width != w_ || f->height != h_ || f->format != fmt_) {
      throw std::runtime_error(std::string("PlaneWriter: frame is ") + std::to_string(f->width) + "x" +
                               std::to_string(f->height) + " " +
                               av_get_pix_fmt_name(static_cast<AVPixelFormat>(f->format)));
    }
    av_image_copy_to_buffer(dst, static_cast<int>(bytes_), f->data, f->linesize, fmt_, w_, h_, 1);
  }

 private:
  int w_, h_;
  AVPixelFormat fmt_;
  size_t bytes_ = 0;
};

}  // namespace vxtest
