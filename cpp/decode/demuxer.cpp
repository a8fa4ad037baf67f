#include "decode/demuxer.h"

#include <sys/stat.h>

#include <cstdio>

#include "common/errors.h"

namespace vxfast {

namespace {
bool looks_like_url(const std::string& p) { return p.find("://") != std::string::npos; }

constexpr int kAvioBufferSize = 1 << 16;

int avio_read_cb(void* opaque, uint8_t* buf, int n) { return static_cast<ByteReader*>(opaque)->read(buf, n); }
int64_t avio_seek_cb(void* opaque, int64_t offset, int whence) {
  return static_cast<ByteReader*>(opaque)->seek(offset, whence);
}

std::string seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%g s", s);
  return buf;
}
}  // namespace

Demuxer::Demuxer(const std::string& path) : Demuxer(MediaInput::from_path(path)) {}

Demuxer::Demuxer(const MediaInput& input, const DemuxOptions& opts)
    : name_(input.name()), opts_(opts),
      deadline_(opts.deadline ? opts.deadline : std::make_shared<IoDeadline>()) {
  open(input);
}

void Demuxer::check_input() const {
  if (reader_ && reader_->failure()) throw *reader_->failure();
}

void Demuxer::fail(const std::string& what, int err) const {
  check_input();
  if (deadline_->aborted()) throw VideoError(name_ + ": closed while " + what);
  if (deadline_->timed_out()) {
    const double t = what == "reading" ? opts_.read_timeout : opts_.open_timeout;
    throw VideoError(name_ + ": timed out " + what + " (no data for " + seconds(t) + ")");
  }
  throw VideoError(name_ + ": " + what + " failed (FFmpeg: " + av_error_string(err) + ")");
}

void Demuxer::open(const MediaInput& input) {
  const std::string& path = input.path;
  if (!input.bytes && !looks_like_url(path)) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) throw VideoError(path + ": no such file");
    if (S_ISDIR(st.st_mode)) throw VideoError(path + ": is a directory, not a video file");
    if (st.st_size == 0) throw VideoError(path + ": file is empty");
  }
  deadline_->reset_timeout();
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) throw VideoError(name_ + ": out of memory");
  raw->interrupt_callback.callback = &IoDeadline::callback;
  raw->interrupt_callback.opaque = deadline_.get();
  if (input.bytes) {
    try {
      reader_ = input.bytes->open();
    } catch (...) {
      avformat_free_context(raw);
      throw;
    }
    auto* buf = static_cast<uint8_t*>(av_malloc(kAvioBufferSize));
    AVIOContext* pb = buf ? avio_alloc_context(buf, kAvioBufferSize, 0, reader_.get(), &avio_read_cb, nullptr,
                                               &avio_seek_cb)
                          : nullptr;
    if (!pb) {
      av_free(buf);
      avformat_free_context(raw);
      throw VideoError(name_ + ": out of memory");
    }
    pb->seekable = reader_->seekable() ? AVIO_SEEKABLE_NORMAL : 0;
    avio_.reset(pb);
    raw->pb = pb;
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  }
  AVDictionary* dict = nullptr;
  for (const auto& kv : opts_.options) av_dict_set(&dict, kv.first.c_str(), kv.second.c_str(), 0);
  UniqueAVDictionary dict_owner;
  deadline_->arm(opts_.open_timeout);
  int err = avformat_open_input(&raw, input.bytes ? nullptr : path.c_str(), nullptr, &dict);
  dict_owner.reset(dict);
  if (err < 0) {  // avformat_open_input frees the context on failure
    check_input();
    if (deadline_->aborted() || deadline_->timed_out()) fail("opening", err);
    throw VideoError(name_ + ": not a readable video file (FFmpeg: " + av_error_string(err) + ")");
  }
  fmt_.reset(raw);
  deadline_->arm(opts_.open_timeout);
  err = avformat_find_stream_info(fmt_.get(), nullptr);
  if (err < 0) {
    check_input();
    if (deadline_->aborted() || deadline_->timed_out()) fail("opening", err);
    throw VideoError(name_ + ": cannot read stream information (FFmpeg: " + av_error_string(err) + ")");
  }
  check_input();
  if (deadline_->aborted() || deadline_->timed_out()) fail("opening", AVERROR_EXIT);
  stream_index_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index_ < 0) {
    bool audio = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) >= 0;
    throw VideoError(name_ + (audio ? ": has no video stream (audio-only file)"
                                    : ": has no video stream"));
  }
  // Only our stream's packets are wanted: let the demuxer drop the rest early.
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (static_cast<int>(i) != stream_index_) fmt_->streams[i]->discard = AVDISCARD_ALL;
  }
}

int Demuxer::read(AVPacket* pkt) {
  for (;;) {
    // A read the deadline interrupted may still have returned a packet: on the error FFmpeg flushes
    // the frame its parser held back (RTSP's H.264 does). The stream stalled all the same; reading
    // on would wait a second read_timeout before the stall is seen.
    if (deadline_->timed_out()) fail("reading", AVERROR_EXIT);
    deadline_->arm(opts_.read_timeout);
    int err = av_read_frame(fmt_.get(), pkt);
    if (err < 0) {
      check_input();
      if (deadline_->aborted() || deadline_->timed_out()) fail("reading", err);
      return err;
    }
    if (pkt->stream_index == stream_index_) return 0;
    av_packet_unref(pkt);
  }
}

bool Demuxer::seek(int64_t ts) {
  deadline_->arm(opts_.open_timeout);
  int err = av_seek_frame(fmt_.get(), stream_index_, ts, AVSEEK_FLAG_BACKWARD);
  check_input();
  return err >= 0;
}

}  // namespace vxfast
