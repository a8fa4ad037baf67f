#include "decode/decode_session.h"

#include <cmath>

#include "common/errors.h"

namespace vxfast {

DecodeSession::DecodeSession(const std::string& path, std::shared_ptr<const FrameIndex> index,
                             int threads, bool keyframes_only, double approx_fps)
    : path_(path), index_(std::move(index)), threads_(threads), keyframes_only_(keyframes_only),
      approx_fps_(approx_fps > 0 ? approx_fps : 25.0) {
  register_error_counter(&errors_);
  try {
    reopen();
  } catch (...) {
    unregister_error_counter(&errors_);
    throw;
  }
}

DecodeSession::~DecodeSession() {
  dec_.reset();  // frame threads may still log while shutting down
  unregister_error_counter(&errors_);
}

void DecodeSession::reopen() {
  dmx_ = std::make_unique<Demuxer>(path_);
  dec_ = std::make_unique<StreamDecoder>(dmx_->stream(), threads_, path_);
  dec_->context()->opaque = &errors_;  // attributes the decoder's error log lines to this session
  dec_->set_keyframes_only(keyframes_only_);
  const AVStream* st = dmx_->stream();
  start_ts_ = st->start_time;
  pending_packet_ = false;
  eof_sent_ = false;
  need_anchor_ = true;
  wait_for_key_ = false;
  estimate_after_seek_ = false;
  next_index_ = 0;
  key_fifo_.clear();
}

void DecodeSession::seek_to(int64_t idx) {
  ++counters_.seeks;
  if (index_) {
    size_t k = index_->keyframe_at_or_before(idx);
    int64_t ts = index_->key_seek_ts[k];
    if (k == 0 || ts == AV_NOPTS_VALUE || !dmx_->seek(ts)) {
      reopen();  // from the very start: always correct, and cheap next to decoding a GOP
      return;
    }
    dec_->flush();
    pending_packet_ = false;
    eof_sent_ = false;
    need_anchor_ = true;
    key_fifo_.clear();
    next_index_ = index_->key_display[k];
    return;
  }
  // Approximate mode: seek by time and recover indices from timestamps.
  const AVStream* st = dmx_->stream();
  double t = static_cast<double>(idx) / approx_fps_;
  int64_t ts = static_cast<int64_t>(t / av_q2d(st->time_base)) + (start_ts_ == AV_NOPTS_VALUE ? 0 : start_ts_);
  if (idx == 0 || !dmx_->seek(ts)) {
    reopen();
    return;
  }
  dec_->flush();
  pending_packet_ = false;
  eof_sent_ = false;
  estimate_after_seek_ = true;
  next_index_ = -1;
}

bool DecodeSession::feed_one_packet() {
  if (eof_sent_) return false;
  if (!pending_packet_) {
    for (;;) {
      int err = dmx_->read(pkt_.get());
      if (err < 0) {
        if (err != AVERROR_EOF) ++counters_.corrupt_packets;
        dec_->send(nullptr);  // drain the frames still inside the decoder
        eof_sent_ = true;
        return true;
      }
      bool key = (pkt_->flags & AV_PKT_FLAG_KEY) != 0;
      if (pkt_->size == 0 || (pkt_->flags & AV_PKT_FLAG_DISCARD) || (keyframes_only_ && !key)) {
        av_packet_unref(pkt_.get());
        continue;
      }
      if (index_ && !index_->by_pts && (need_anchor_ || keyframes_only_)) {
        // Counting mode: display_ts holds the sorted dts, so a packet's dts rank is its decode
        // position, which for a keyframe of a closed GOP is also its display index.
        int64_t pos = pkt_->dts != AV_NOPTS_VALUE ? index_->lookup_ts(pkt_->dts) : -1;
        int64_t disp = key && pos >= 0 ? index_->keyframe_display_for_decode_pos(pos) : -1;
        if (need_anchor_) {
          if (!key && pos != 0) {  // landed mid-GOP: skip to a keyframe rather than emit garbage
            av_packet_unref(pkt_.get());
            continue;
          }
          if (disp >= 0) next_index_ = disp;
          else if (pos >= 0) next_index_ = pos;
          // Leading B-frames after a mid-stream keyframe (shown before it) lack a reference: wait
          // for the keyframe itself to come out and count from there.
          wait_for_key_ = pos > 0;
          need_anchor_ = false;
        }
        if (keyframes_only_) key_fifo_.push_back(disp >= 0 ? disp : next_index_);
      }
      break;
    }
  }
  int err = dec_->send(pkt_.get());
  if (err == AVERROR(EAGAIN)) {
    pending_packet_ = true;  // decoder full: drain a frame, then resend this packet
    return true;
  }
  pending_packet_ = false;
  if (err < 0) ++counters_.corrupt_packets;
  av_packet_unref(pkt_.get());
  return true;
}

int64_t DecodeSession::assign_index(const AVFrame* f) {
  int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
  if (index_) {
    if (index_->by_pts && ts != AV_NOPTS_VALUE) {
      int64_t i = index_->lookup_ts(ts);
      if (i >= 0) return i;
    }
    if (keyframes_only_ && !key_fifo_.empty()) {
      int64_t i = key_fifo_.front();
      key_fifo_.pop_front();
      return i;
    }
    return next_index_;
  }
  if (estimate_after_seek_ && ts != AV_NOPTS_VALUE) {
    estimate_after_seek_ = false;
    double t = (ts - (start_ts_ == AV_NOPTS_VALUE ? 0 : start_ts_)) * av_q2d(dmx_->stream()->time_base);
    return static_cast<int64_t>(std::llround(t * approx_fps_));
  }
  return next_index_ < 0 ? 0 : next_index_;
}

bool DecodeSession::next(DecodedFrame& out) {
  for (;;) {
    int err = dec_->receive(frame_.get());
    if (err == 0) {
      ++counters_.decoded_frames;
      if (wait_for_key_) {
        if (!frame_is_key(frame_.get())) continue;
        wait_for_key_ = false;
      }
      if (frame_is_corrupt(frame_.get())) ++counters_.corrupt_frames;
      int64_t i = assign_index(frame_.get());
      next_index_ = i + 1;
      out.frame = frame_.get();
      out.index = i;
      out.keyframe = frame_is_key(frame_.get());
      if (index_ && i < index_->frame_count()) {
        out.pts = index_->pts_sec[i];
      } else {
        int64_t ts = frame_->best_effort_timestamp;
        double t = ts == AV_NOPTS_VALUE ? last_pts_ + 1.0 / approx_fps_
                                        : (ts - (start_ts_ == AV_NOPTS_VALUE ? 0 : start_ts_)) *
                                              av_q2d(dmx_->stream()->time_base);
        if (t <= last_pts_) t = last_pts_ + 1.0 / approx_fps_;
        out.pts = t;
      }
      last_pts_ = out.pts;
      return true;
    }
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) {
      ++counters_.corrupt_frames;  // a frame the decoder gave up on; keep going
      if (eof_sent_) return false;
    }
    if (!feed_one_packet()) return false;
  }
}

}  // namespace vxfast
