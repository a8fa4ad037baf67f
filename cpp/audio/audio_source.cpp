#include "audio/audio_source.h"

#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "common/errors.h"

namespace vxfast {

AudioSource::AudioSource(const std::string& path, int stream, int threads)
    : path_(path), want_stream_(stream), threads_(threads) {
  if (path.find("://") == std::string::npos) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) throw VideoError(path + ": no such file");
    if (S_ISDIR(st.st_mode)) throw VideoError(path + ": is a directory, not a media file");
    if (st.st_size == 0) throw VideoError(path + ": file is empty");
  }
  open();
}

void AudioSource::open() {
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path_.c_str(), nullptr, nullptr);
  if (err < 0) throw VideoError(path_ + ": not a readable media file (FFmpeg: " + av_error_string(err) + ")");
  fmt_.reset(raw);
  err = avformat_find_stream_info(fmt_.get(), nullptr);
  if (err < 0) throw VideoError(path_ + ": cannot read stream information (FFmpeg: " + av_error_string(err) + ")");

  std::vector<int> audio;
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (fmt_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) audio.push_back(static_cast<int>(i));
  }
  if (audio.empty()) throw VideoError(path_ + ": no audio stream");
  int index;
  if (want_stream_ < 0) {
    index = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (index < 0) index = audio.front();
  } else if (want_stream_ < static_cast<int>(audio.size())) {
    index = audio[want_stream_];
  } else {
    throw std::invalid_argument("stream=" + std::to_string(want_stream_) + " but " + path_ + " has " +
                                std::to_string(audio.size()) + " audio stream(s)");
  }
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (static_cast<int>(i) != index) fmt_->streams[i]->discard = AVDISCARD_ALL;
  }
  AVStream* st = fmt_->streams[index];
  tb_ = st->time_base;
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) {
    throw VideoError(path_ + ": no decoder for audio codec " + avcodec_get_name(st->codecpar->codec_id));
  }
  dec_.reset(avcodec_alloc_context3(codec));
  if (!dec_ || avcodec_parameters_to_context(dec_.get(), st->codecpar) < 0) {
    throw VideoError(path_ + ": cannot set up the audio decoder");
  }
  dec_->pkt_timebase = st->time_base;
  dec_->thread_count = 1;  // audio frames are small; frame threads would only add latency
  err = avcodec_open2(dec_.get(), codec, nullptr);
  if (err < 0) throw VideoError(path_ + ": cannot open the audio decoder (FFmpeg: " + av_error_string(err) + ")");
  eof_sent_ = false;

  if (info_.stream_index < 0) {  // first open: describe the stream
    info_.path = path_;
    info_.codec = avcodec_get_name(st->codecpar->codec_id);
    const char* fmt_name = av_get_sample_fmt_name(dec_->sample_fmt);
    info_.sample_fmt = fmt_name ? fmt_name : "";
    info_.sample_rate = st->codecpar->sample_rate;
    info_.channels = codecpar_channels(st->codecpar);
    info_.layout = codecpar_layout_name(st->codecpar);
    info_.stream_index = index;
    info_.audio_stream_count = static_cast<int>(audio.size());
    info_.bit_rate = st->codecpar->bit_rate ? st->codecpar->bit_rate : fmt_->bit_rate;
    info_.container = fmt_->iformat && fmt_->iformat->name ? fmt_->iformat->name : "";
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
      info_.duration = st->duration * av_q2d(st->time_base);
    } else if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0) {
      info_.duration = fmt_->duration / static_cast<double>(AV_TIME_BASE);
    }
    if (info_.sample_rate <= 0) throw VideoError(path_ + ": audio stream has no sample rate");
  }
}

void AudioSource::rewind() {
  par_.reset();
  history_.clear();
  frames_lc_ = true;
  dec_.reset();
  fmt_.reset();
  open();
}

bool AudioSource::feed() {
  if (eof_sent_) return false;
  for (;;) {
    int err = av_read_frame(fmt_.get(), pkt_.get());
    if (err < 0) {
      // EOF or a truncated/damaged container: drain the decoder and stop.
      avcodec_send_packet(dec_.get(), nullptr);
      eof_sent_ = true;
      return true;
    }
    PacketRef guard(pkt_.get());
    if (pkt_->stream_index != info_.stream_index) continue;
    ++stats_.packets;
    if (pkt_->flags & AV_PKT_FLAG_CORRUPT) {
      ++stats_.corrupt_packets;
      continue;
    }
    if (threads_ > 1) {
      history_.emplace_back(av_packet_clone(pkt_.get()));
      if (history_.size() > static_cast<size_t>(ParallelAacDecode::kPrerollPackets)) history_.pop_front();
    }
    err = avcodec_send_packet(dec_.get(), pkt_.get());
    if (err < 0 && err != AVERROR(EAGAIN)) {
      ++stats_.corrupt_packets;  // the decoder rejected it; the timeline check fills the hole
      continue;
    }
    return true;
  }
}

bool AudioSource::parallel_ready() const {
  // The first frame has come out (so the decoder has read the stream's real configuration: implicit
  // SBR shows up as 2048-sample frames) and everything says plain AAC-LC.
  return threads_ > 1 && !eof_sent_ && stats_.frames > 0 && frames_lc_ &&
         history_.size() == static_cast<size_t>(ParallelAacDecode::kPrerollPackets) && dec_->codec_id == AV_CODEC_ID_AAC &&
         dec_->profile == kProfileAacLow;
}

bool AudioSource::next(AVFrame* frame, double& pts) {
  if (par_) {
    try {
      return par_->next(frame, pts, stats_);
    } catch (const VideoError& e) {
      throw VideoError(path_ + ": " + e.what());
    }
  }
  for (;;) {
    int err = avcodec_receive_frame(dec_.get(), frame);
    if (err == 0) {
      ++stats_.frames;
      if (frame->nb_samples != 1024) frames_lc_ = false;
      if (frame_is_corrupt(frame)) ++stats_.corrupt_packets;
      if (frame->nb_samples <= 0 || frame->sample_rate <= 0) {
        av_frame_unref(frame);
        continue;
      }
      int64_t ts = frame->pts != AV_NOPTS_VALUE ? frame->pts : frame->best_effort_timestamp;
      pts = ts == AV_NOPTS_VALUE ? std::numeric_limits<double>::quiet_NaN()
                                 : static_cast<double>(ts) * tb_.num / tb_.den;
      return true;
    }
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) {
      ++stats_.corrupt_packets;
      if (eof_sent_) return false;
    }
    if (parallel_ready()) {  // the decoder is empty: the rest of the stream goes to the workers
      par_ = std::make_unique<ParallelAacDecode>(fmt_.get(), info_.stream_index, threads_, std::move(history_), plan_);
      history_.clear();
      return next(frame, pts);
    }
    if (!feed()) return false;
  }
}

const ResampledRun* AudioSource::next_run() {
  if (!par_) return nullptr;
  try {
    return par_->next_run(stats_);
  } catch (const VideoError& e) {
    throw VideoError(path_ + ": " + e.what());
  }
}

void AudioSource::accept_run() {
  if (par_) par_->accept(stats_);
}

void AudioSource::expand_run() {
  if (par_) par_->expand();
}

bool AudioSource::seek(double t) {
  par_.reset();  // its workers hold no demuxer state; what they decoded ahead is dropped
  history_.clear();
  int64_t ts = static_cast<int64_t>(std::floor(t / av_q2d(tb_)));
  if (av_seek_frame(fmt_.get(), info_.stream_index, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
  avcodec_flush_buffers(dec_.get());
  eof_sent_ = false;
  ++stats_.seeks;
  return true;
}

}  // namespace vxfast
