#include "audio/audio_cursor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "common/errors.h"

namespace vxfast {

namespace {
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }
constexpr double kPrerollSeconds = 0.5;  // decoder (AAC/MP3/Opus) and resampler warm-up before a seek point
const uint8_t* const kFlush[1] = {nullptr};
constexpr double kForwardSeconds = 3.0;  // closer than this ahead: decode forward instead of seeking
}  // namespace

AudioCursor::AudioCursor(const std::string& path, int stream, int out_rate, int out_channels, int threads)
    : src_(path, stream, threads) {
  if (out_rate < 0 || out_rate > 1000000) throw std::invalid_argument("sample_rate=" + std::to_string(out_rate) + " must be in 1..1000000");
  if (threads < 1 || threads > 256) throw std::invalid_argument("threads=" + std::to_string(threads) + " must be in 1..256");
  if (out_channels < 0 || out_channels > 64) throw std::invalid_argument("channels=" + std::to_string(out_channels) + " must be in 1..64");
  in_rate_ = src_.info().sample_rate;
  out_rate_ = out_rate > 0 ? out_rate : in_rate_;
  out_channels_ = out_channels > 0 ? out_channels : std::max(1, src_.info().channels);
  int64_t g = std::gcd<int64_t>(in_rate_, out_rate_);
  P_ = in_rate_ / g;
  Q_ = out_rate_ / g;
  // The first frame fixes the clock: its pts is the time of output sample 0.
  pending_ = src_.next(frame_.get(), pending_pts_);
  if (pending_) {
    in_rate_ = frame_->sample_rate;  // the decoder's word beats the header's
    g = std::gcd<int64_t>(in_rate_, out_rate_);
    P_ = in_rate_ / g;
    Q_ = out_rate_ / g;
    if (std::isnan(pending_pts_)) pending_pts_ = 0;  // no timestamps at all: the clock starts at 0
    t0_ = pending_pts_;
  } else {
    eof_ = true;
  }
  fifo_.reset(out_channels_, 0);
  poly_ = std::make_unique<PolyphaseResampler>(out_rate_, out_channels_, simd::level());
}

int64_t AudioCursor::offset_at(double t) const {
  double k = std::ceil((t - t0_) * out_rate_ - 1e-6);
  return k <= 0 ? 0 : static_cast<int64_t>(k);
}

void AudioCursor::drain(int64_t count, const uint8_t* const* in) {
  // swr_convert flushes (pads the end) on a null input; buffered samples alone are taken out with
  // a non-null input of 0 samples.
  static const uint8_t dummy = 0;
  static const uint8_t* const dummies[64] = {
      &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy,
      &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy,
      &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy,
      &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy,
      &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy, &dummy};
  if (in == kFlush) in = nullptr;
  else if (!in) in = dummies;
  int out_max = swr_get_out_samples(swr_.get(), static_cast<int>(count));
  if (out_max <= 0) out_max = static_cast<int>(count * out_rate_ / std::max(1, in_rate_)) + 64;
  float* const* w = fifo_.reserve(out_max);
  int got = swr_convert(swr_.get(), reinterpret_cast<uint8_t**>(const_cast<float**>(w)), out_max,
                        const_cast<const uint8_t**>(in), static_cast<int>(count));
  if (got > 0) fifo_.commit(got);
  fifo_.drop_to(want_from_);
}

void AudioCursor::push(const AVFrame* f, int64_t off, int64_t count) {
  if ((!swr_ && !poly_on_) || !same_audio_params(params_.get(), f)) {
    flush_resampler();
    poly_on_ = poly_->configure(f);
    if (!poly_on_) {
      swr_ = make_float_resampler(f, out_rate_, out_channels_);
      if (!swr_) throw VideoError(src_.info().path + ": cannot set up the resampler for this audio format");
    }
    resampler_ = poly_on_ ? std::string("vxfast-") + simd::name(poly_->level()) : "libswresample";
    run_in0_ = in_next_;
    plan_ = nullptr;
    if (poly_on_) {
      auto plan = poly_->plan(f, t0_, static_cast<int64_t>(gap_tolerance_ * in_rate_));
      plan_ = plan.get();
      src_.set_resample_plan(std::move(plan));
    }
    av_frame_unref(params_.get());
    av_frame_ref(params_.get(), f);
  }
  if (poly_on_) {
    poly_->push(f, off, count, fifo_);
    fifo_.drop_to(want_from_);
    return;
  }
  int ch = frame_channels(f);
  auto fmt = static_cast<AVSampleFormat>(f->format);
  int bps = av_get_bytes_per_sample(fmt);
  bool planar = av_sample_fmt_is_planar(fmt);
  in_ptrs_.assign(planar ? ch : 1, nullptr);
  for (size_t c = 0; c < in_ptrs_.size(); ++c) {
    in_ptrs_[c] = f->extended_data[c] + off * bps * (planar ? 1 : ch);
  }
  drain(count, in_ptrs_.data());
}

void AudioCursor::push_silence(int64_t count) {
  if (poly_on_) {
    poly_->push_silence(count, fifo_);
    fifo_.drop_to(want_from_);
    return;
  }
  if (!swr_) return;  // nothing before it: the timeline starts at the next frame anyway
  swr_inject_silence(swr_.get(), static_cast<int>(count));
  drain(0, nullptr);  // takes the silence out without flushing
}

void AudioCursor::drop_resampler() {
  swr_.reset();
  if (poly_on_) poly_->clear();
  poly_on_ = false;
}

void AudioCursor::flush_resampler() {
  if (poly_on_) {
    poly_->flush(fifo_);
    fifo_.drop_to(want_from_);
    poly_on_ = false;
    return;
  }
  if (!swr_) return;
  for (;;) {
    int64_t before = fifo_.end();
    drain(0, kFlush);
    if (fifo_.end() == before) break;
  }
  swr_.reset();
}

void AudioCursor::produce() {
  if (eof_) return;
  if (gap_left_ > 0) {
    int64_t n = std::min<int64_t>(gap_left_, in_rate_);  // a second at a time keeps memory bounded
    push_silence(n);
    gap_left_ -= n;
    in_next_ += n;
    return;
  }
  double pts = pending_pts_;
  if (!pending_) {
    if (const ResampledRun* r = src_.next_run()) {
      if (take_run(*r)) return;
      src_.expand_run();
    }
  }
  if (pending_) {
    pending_ = false;
  } else if (!src_.next(frame_.get(), pts)) {
    flush_resampler();
    eof_ = true;
    return;
  }
  AVFrame* f = frame_.get();
  const int64_t n = f->nb_samples;
  if (f->sample_rate != in_rate_) {
    // The rate changed midway (rare: some broadcast streams). Input positions count samples at the
    // opening rate, so such frames are taken as contiguous, advancing the counter by their length.
    if (!anchored_) {
      av_frame_unref(f);
      restart();
      return;
    }
    push(f, 0, n);
    in_next_ += std::llround(static_cast<double>(n) * in_rate_ / f->sample_rate);
    regular_from_ = in_next_;
    av_frame_unref(f);
    rate_changed_ = true;
    return;
  }
  // Back at the opening rate after a change, the counter, not the pts, says where we are (the
  // demuxer's timestamps across such a change are not to be trusted, e.g. raw ADTS).
  int64_t fp = std::isnan(pts) ? in_next_ : std::llround((pts - t0_) * in_rate_) + pts_shift_;
  if (rate_changed_ && anchored_) {
    if (!std::isnan(pts)) pts_shift_ += in_next_ - fp;  // re-base the pts on the counter from here on
    fp = in_next_;
    rate_changed_ = false;
  }
  int64_t off = 0;
  if (!anchored_) {
    if (std::isnan(pts) || fp > seek_in_) {  // the seek overshot or lost the clock: start over
      av_frame_unref(f);
      restart();
      return;
    }
    // Start on the aligned input sample at or after the frame's start (<= seek_in_).
    int64_t s = std::max<int64_t>(0, ceil_div(fp, P_) * P_);
    anchored_ = true;
    in_next_ = s;
    regular_from_ = s;
    fifo_.reset(out_channels_, s / P_ * Q_);
    fifo_.drop_to(want_from_);
    off = s - fp;
  } else {
    int64_t d = fp - in_next_;
    int64_t tol = static_cast<int64_t>(gap_tolerance_ * in_rate_);
    if (d > tol) {
      src_.stats().gap_samples += d;
      regular_from_ = fp;  // after the silence
      gap_left_ = d;
      pending_ = true;  // the frame goes in after the silence
      pending_pts_ = pts;
      return;
    }
    if (d < -tol) {
      off = std::min<int64_t>(-d, n);
      src_.stats().overlap_samples += off;
      regular_from_ = in_next_ + (n - off);
    }
  }
  if (off < n) {
    if (off == 0 && !std::isnan(pts)) src_.set_run_offset(in_next_ - fp);
    push(f, off, n - off);
    in_next_ += n - off;
  }
  av_frame_unref(f);
}

bool AudioCursor::take_run(const ResampledRun& r) {
  // The run must continue this cursor's own resampler exactly: same place on the timeline, the
  // resampler's run on the same phase grid, and the block's pre-roll samples the ones it was fed.
  // Otherwise, if this cursor would have placed the block's frames contiguously from here, its
  // downmixed samples go through the cursor's resampler; else the block is decoded again here.
  if (!poly_on_ || r.plan != plan_ || !anchored_ || rate_changed_ || pts_shift_ != 0 || gap_left_ > 0) return false;
  poly_->produce_pending(fifo_);
  const int64_t tol = static_cast<int64_t>(gap_tolerance_ * in_rate_);
  const int64_t shift = in_next_ - r.in_start;
  if (r.jitter_max - shift > tol || r.jitter_min - shift < -tol) return false;
  const int64_t out0 = run_in0_ / P_ * Q_;
  const bool exact = shift == 0 && poly_->primed() && run_in0_ % P_ == 0 && poly_->end() + run_in0_ == in_next_ &&
                     poly_->next_output() + out0 == r.m_begin && fifo_.end() == r.m_begin &&
                     r.in_first >= regular_from_ && r.in_first >= run_in0_ &&
                     (r.m_end == r.m_begin || poly_->window_start(r.m_begin - out0) >= 0);
  if (exact) {
    const int64_t n = r.m_end - r.m_begin;
    if (n > 0) {
      float* const* w = fifo_.reserve(n);
      for (int c = 0; c < out_channels_; ++c) std::memcpy(w[c], r.out[c].data(), sizeof(float) * n);
      fifo_.commit(n);
    }
    poly_->continue_after(r, run_in0_);
  } else {
    const float* planes[64];
    for (int c = 0; c < out_channels_; ++c) planes[c] = r.in[c].data() + (r.in_start - r.in_first);
    poly_->push_mixed(planes, r.in_end - r.in_start, fifo_);
  }
  in_next_ += r.in_end - r.in_start;
  src_.set_run_offset(r.offset + shift);
  src_.accept_run();
  fifo_.drop_to(want_from_);
  return true;
}

void AudioCursor::restart() {
  src_.rewind();
  rate_changed_ = false;
  pts_shift_ = 0;
  drop_resampler();
  gap_left_ = 0;
  anchored_ = true;
  in_next_ = 0;
  regular_from_ = 0;
  eof_ = false;
  pending_ = false;
  fifo_.reset(out_channels_, 0);
  fifo_.drop_to(want_from_);
}

void AudioCursor::seek_to(int64_t offset) {
  int64_t k_al = offset / Q_ * Q_;
  int64_t p_al = offset / Q_ * P_;
  double t = t0_ + static_cast<double>(p_al) / in_rate_ - kPrerollSeconds;
  if (t <= t0_ + kPrerollSeconds || !src_.seek(t)) {
    restart();
    return;
  }
  (void)k_al;
  drop_resampler();
  gap_left_ = 0;
  pending_ = false;
  eof_ = false;
  anchored_ = false;
  rate_changed_ = false;
  seek_in_ = p_al;
  fifo_.reset(out_channels_, 0);
}

void AudioCursor::position(int64_t offset) {
  if (offset < 0) offset = 0;
  want_from_ = offset;
  if (offset >= fifo_.begin() && offset <= fifo_.end()) {
    fifo_.drop_to(offset);
    return;
  }
  if (offset > fifo_.end() && (eof_ || offset - fifo_.end() <= kForwardSeconds * out_rate_)) {
    fifo_.drop_to(offset);  // produce() drops the rest as it decodes
    return;
  }
  seek_to(offset);
}

int64_t AudioCursor::fill_to(int64_t end) {
  while ((!anchored_ || fifo_.end() < end) && !eof_) produce();
  return fifo_.end();
}

void AudioCursor::read(int64_t from, int64_t to, std::vector<std::vector<float>>& out) {
  out.resize(out_channels_);
  position(from);
  const int64_t block = std::max<int64_t>(out_rate_, 4096);
  int64_t pos = std::max<int64_t>(from, 0);
  // Reserve what the header promises (to the end: its duration), so long reads do not regrow.
  int64_t expect = to >= 0 ? to - pos
                            : static_cast<int64_t>(src_.info().duration * out_rate_) + out_rate_ / 10 - pos;
  if (expect > 0) {
    for (auto& o : out) o.reserve(o.size() + expect);
  }
  while (to < 0 || pos < to) {
    int64_t want = to < 0 ? pos + block : std::min(pos + block, to);
    int64_t have = std::min(fill_to(want), want);
    if (have <= pos) break;
    for (int c = 0; c < out_channels_; ++c) {
      const float* p = fifo_.channel(c) + (pos - fifo_.begin());
      out[c].insert(out[c].end(), p, p + (have - pos));
    }
    pos = have;
    position(pos);
  }
}

void AudioCursor::windows(const double* times, int64_t n, int64_t len, float* out) {
  std::memset(out, 0, sizeof(float) * static_cast<size_t>(n * out_channels_ * len));
  std::vector<int64_t> start(n), order(n);
  for (int64_t i = 0; i < n; ++i) {
    start[i] = std::llround((times[i] - t0_) * out_rate_) - len / 2;
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return start[a] < start[b]; });
  for (int64_t i : order) {
    int64_t s = start[i], e = s + len;
    int64_t a = std::max<int64_t>(s, 0);
    if (a >= e) continue;
    position(a);
    int64_t b = std::min(fill_to(e), e);
    if (b > a) fifo_.copy_out(a, b - a, out + i * out_channels_ * len + (a - s), len);
  }
}

}  // namespace vxfast
