#include "decode/demuxer.h"

#include <sys/stat.h>

#include "common/errors.h"

namespace vxfast {

namespace {
bool looks_like_url(const std::string& p) { return p.find("://") != std::string::npos; }
}  // namespace

Demuxer::Demuxer(const std::string& path) : path_(path) {
  if (!looks_like_url(path)) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) throw VideoError(path + ": no such file");
    if (S_ISDIR(st.st_mode)) throw VideoError(path + ": is a directory, not a video file");
    if (st.st_size == 0) throw VideoError(path + ": file is empty");
  }
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (err < 0) {
    throw VideoError(path + ": not a readable video file (FFmpeg: " + av_error_string(err) + ")");
  }
  fmt_.reset(raw);
  err = avformat_find_stream_info(fmt_.get(), nullptr);
  if (err < 0) {
    throw VideoError(path + ": cannot read stream information (FFmpeg: " + av_error_string(err) + ")");
  }
  stream_index_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index_ < 0) {
    bool audio = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) >= 0;
    throw VideoError(path + (audio ? ": has no video stream (audio-only file)"
                                   : ": has no video stream"));
  }
  // Only our stream's packets are wanted: let the demuxer drop the rest early.
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (static_cast<int>(i) != stream_index_) fmt_->streams[i]->discard = AVDISCARD_ALL;
  }
}

int Demuxer::read(AVPacket* pkt) {
  for (;;) {
    int err = av_read_frame(fmt_.get(), pkt);
    if (err < 0) return err;
    if (pkt->stream_index == stream_index_) return 0;
    av_packet_unref(pkt);
  }
}

bool Demuxer::seek(int64_t ts) {
  int err = av_seek_frame(fmt_.get(), stream_index_, ts, AVSEEK_FLAG_BACKWARD);
  return err >= 0;
}

}  // namespace vxfast
