#include "decode/video_reader.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "common/errors.h"
#include "decode/stream_decoder.h"

namespace vxfast {

namespace {
std::string or_unknown(const char* s) { return s ? s : "unknown"; }
}  // namespace

VideoSource::VideoSource(const std::string& path, const ReaderOptions& opts) : opts_(opts) {
  Demuxer dmx(path);
  const AVStream* st = dmx.stream();
  const AVCodecParameters* par = st->codecpar;
  { StreamDecoder probe(st, 1, path); }  // unsupported codecs fail here, at open, by name

  VideoInfo& in = info_;
  in.path = path;
  in.container = or_unknown(dmx.format()->iformat ? dmx.format()->iformat->name : nullptr);
  in.codec = or_unknown(avcodec_get_name(par->codec_id));
  in.pix_fmt = or_unknown(av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format)));
  in.coded_width = par->width;
  in.coded_height = par->height;
  in.bit_rate = par->bit_rate > 0 ? par->bit_rate : dmx.format()->bit_rate;
  in.rotation = stream_rotation_degrees(st);
  in.rotation_applied = opts.apply_rotation && in.rotation != 0;
  bool swap = opts.apply_rotation && (in.rotation == 90 || in.rotation == 270);
  in.width = swap ? par->height : par->width;
  in.height = swap ? par->width : par->height;
  in.color_space = or_unknown(av_color_space_name(par->color_space));
  in.color_range = or_unknown(av_color_range_name(par->color_range));
  AVRational hdr = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  in.header_fps = hdr.num > 0 && hdr.den > 0 ? av_q2d(hdr) : 0;
  in.header_frame_count = st->nb_frames;

  AVFormatContext* fmt = dmx.format();
  int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (a >= 0) {
    const AVCodecParameters* ap = fmt->streams[a]->codecpar;
    in.has_audio = true;
    in.audio_sample_rate = ap->sample_rate;
    in.audio_channels = codecpar_channels(ap);
    in.audio_codec = or_unknown(avcodec_get_name(ap->codec_id));
  }

  AVRational guess = av_guess_frame_rate(fmt, const_cast<AVStream*>(st), nullptr);
  double guessed_fps = guess.num > 0 && guess.den > 0 ? av_q2d(guess) : in.header_fps;
  if (opts.exact) {
    auto idx = std::make_shared<FrameIndex>(FrameIndex::build(dmx));
    in.frame_count = idx->frame_count();
    in.frame_count_exact = true;
    in.keyframe_count = static_cast<int64_t>(idx->key_display.size());
    in.fps = idx->fps() > 0 ? idx->fps() : (guessed_fps > 0 ? guessed_fps : 0);
    in.duration = idx->fps() > 0 ? idx->duration() : (in.fps > 0 ? in.frame_count / in.fps : 0);
    index_ = std::move(idx);
  } else {
    in.fps = guessed_fps;
    double dur = st->duration != AV_NOPTS_VALUE ? st->duration * av_q2d(st->time_base)
                 : fmt->duration != AV_NOPTS_VALUE ? fmt->duration / static_cast<double>(AV_TIME_BASE)
                                                   : 0;
    in.duration = dur;
    in.frame_count = st->nb_frames > 0 ? st->nb_frames
                                       : static_cast<int64_t>(std::llround(dur * in.fps));
    in.frame_count_exact = false;
  }
}

std::unique_ptr<DecodeSession> VideoSource::new_session(bool keyframes_only, int threads) const {
  return std::make_unique<DecodeSession>(info_.path, index_, threads < 0 ? opts_.threads : threads,
                                         keyframes_only, info_.fps);
}

// The caller chooses (ReaderOptions::sequential_threads; Python passes the count from
// vxfast.config.heuristics): 0 is FFmpeg's own choice here as everywhere.
std::unique_ptr<DecodeSession> FrameSampler::open_session(bool keyframes_only) const {
  return src_->new_session(keyframes_only, src_->options().sequential_threads);
}

FrameSampler::FrameSampler(std::shared_ptr<const VideoSource> src, const SampleSpec& spec,
                           std::shared_ptr<FrameWriter> writer)
    : src_(std::move(src)), spec_(spec), writer_(std::move(writer)) {
  using K = SampleSpec::Kind;
  const auto& idx = src_->index();
  if (spec_.kind == K::Keyframes) {
    planned_ = false;
  } else if (idx) {
    planned_ = true;
    targets_ = plan_targets(spec_, *idx);
  } else if (spec_.kind == K::All || spec_.kind == K::Every) {
    planned_ = false;
  } else {
    // Approximate mode: plan on the header's estimates; frames are matched by timestamp.
    planned_ = true;
    FrameIndex est;
    const VideoInfo& in = src_->info();
    int64_t n = in.frame_count > 0 ? in.frame_count : 1;
    double fps = in.fps > 0 ? in.fps : 25;
    est.display_ts.resize(n);
    est.pts_sec.resize(n);
    for (int64_t i = 0; i < n; ++i) { est.display_ts[i] = i; est.pts_sec[i] = i / fps; }
    targets_ = plan_targets(spec_, est);
  }
}

SamplerStats FrameSampler::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SamplerStats s;
  s.decode = session_ ? session_->counters() : DecodeCounters{};
  s.missing_frames = missing_;
  s.delivered = delivered_;
  return s;
}

bool FrameSampler::next(uint8_t* dst, FrameMeta& meta) {
  std::lock_guard<std::mutex> lock(mu_);
  bool ok = planned_ ? next_planned(dst, meta) : next_streamed(dst, meta);
  if (!ok && delivered_ == 0 && session_) {
    const DecodeCounters& c = session_->counters();
    if (c.corrupt_packets + c.corrupt_frames + c.decoder_errors + missing_ > 0 && c.decoded_frames == 0) {
      throw VideoError(src_->path() + ": no frame could be decoded (" +
                       std::to_string(c.corrupt_packets) + " corrupt packets)");
    }
  }
  return ok;
}

bool FrameSampler::next_planned(uint8_t* dst, FrameMeta& meta) {
  const FrameIndex* idx = src_->index().get();
  double fps = src_->info().fps > 0 ? src_->info().fps : 25;
  while (pos_ < targets_.size()) {
    int64_t t = targets_[pos_];
    if (started_ && last_.index >= 0 && pos_ > 0 && targets_[pos_ - 1] == t && last_.index == t) {
      ++pos_;
      meta = last_;
      meta.repeat = true;
      ++delivered_;
      return true;
    }
    if (!session_) session_ = open_session(false);
    int64_t cur = session_->position();
    bool seek;
    if (idx) {
      int64_t kf = idx->key_display[idx->keyframe_at_or_before(t)];
      seek = t < cur || kf > cur;
    } else {
      seek = cur < 0 || t < cur || (t - cur) > 2 * fps;
    }
    if (seek) session_->seek_to(t);
    started_ = true;
    DecodedFrame d;
    bool got = false;
    while (session_->next(d)) {
      if (d.index >= t) { got = true; break; }
    }
    if (!got) {
      missing_ += static_cast<int64_t>(targets_.size() - pos_);
      pos_ = targets_.size();
      return false;
    }
    if (idx && d.index > t) {
      // t never came out of the decoder (damaged): count it, and deliver d if it is planned.
      while (pos_ < targets_.size() && targets_[pos_] < d.index) { ++missing_; ++pos_; }
      if (pos_ == targets_.size() || targets_[pos_] != d.index) continue;
    }
    writer_->write(d.frame, dst);
    meta = FrameMeta{d.index, d.pts, d.keyframe, false};
    last_ = meta;
    ++pos_;
    ++delivered_;
    return true;
  }
  return false;
}

bool FrameSampler::next_streamed(uint8_t* dst, FrameMeta& meta) {
  using K = SampleSpec::Kind;
  const FrameIndex* idx = src_->index().get();
  if (!session_) {
    session_ = open_session(spec_.kind == K::Keyframes);
    if (spec_.start > 0) {
      int64_t i = idx ? idx->first_at_or_after(spec_.start)
                      : static_cast<int64_t>(std::llround(spec_.start * src_->info().fps));
      if (i > 0) session_->seek_to(i);
    }
  }
  DecodedFrame d;
  while (session_->next(d)) {
    if (spec_.end >= 0 && d.pts >= spec_.end - 1e-9) return false;
    if (spec_.start >= 0 && d.pts < spec_.start - 1e-9) continue;
    if (first_index_ < 0) first_index_ = d.index;
    if (spec_.kind == K::Every && (d.index - first_index_) % static_cast<int64_t>(spec_.value) != 0) continue;
    writer_->write(d.frame, dst);
    meta = FrameMeta{d.index, d.pts, d.keyframe, false};
    last_ = meta;
    ++delivered_;
    return true;
  }
  return false;
}

void RandomAccess::decode(const std::vector<int64_t>& indices, FrameWriter& writer,
                          const std::vector<uint8_t*>& dsts, std::vector<FrameMeta>& metas) {
  std::lock_guard<std::mutex> lock(mu_);
  const FrameIndex* idx = src_->index().get();
  double fps = src_->info().fps > 0 ? src_->info().fps : 25;
  metas.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t t = indices[i];
    if (!session_) session_ = src_->new_session(false);
    int64_t cur = session_->position();
    bool seek = idx ? (t < cur || idx->key_display[idx->keyframe_at_or_before(t)] > cur)
                    : (cur < 0 || t < cur || (t - cur) > 2 * fps);
    if (seek) session_->seek_to(t);
    DecodedFrame d;
    bool got = false;
    while (session_->next(d)) {
      if (d.index >= t) { got = true; break; }
    }
    if (!got) {
      session_.reset();
      throw VideoError(src_->path() + ": frame " + std::to_string(t) +
                       " is past the last decodable frame");
    }
    if (idx && d.index != t) {
      session_.reset();
      throw VideoError(src_->path() + ": frame " + std::to_string(t) + " could not be decoded (damaged stream)");
    }
    writer.write(d.frame, dsts[i]);
    metas[i] = FrameMeta{idx ? d.index : t, d.pts, d.keyframe, false};
  }
}

}  // namespace vxfast
