#include "audio/polyphase_resampler.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vxfast {

namespace {
// Dead input is dropped (a memmove of the live samples, history() or a held-back group) once there
// is this much of it.
constexpr int64_t kCompactEvery = 1 << 15;
}  // namespace

int64_t first_output_after(const SwrFilter& f, int64_t s) {
  // window_start(m) + taps > s  <=>  floor(m P / Q) >= B  <=>  m >= ceil(B Q / P)
  const int64_t B = s - f.taps - f.offset + 1;
  const int64_t num = B * f.Q;
  return num >= 0 ? (num + f.P - 1) / f.P : -((-num) / f.P);
}

bool resample_run(const ResamplePlan& p, ResampledRun& r) {
  const SwrFilter& f = p.f;
  r.m_begin = first_output_after(f, r.in_start);
  r.m_end = first_output_after(f, r.in_end);
  const int64_t n = r.m_end - r.m_begin;
  r.out.resize(static_cast<size_t>(p.out_channels));
  if (n <= 0) {
    for (auto& o : r.out) o.clear();
    return n == 0;
  }
  const int64_t ws = r.m_begin / f.Q * f.P + (r.m_begin % f.Q) * f.P / f.Q + f.offset;
  if (r.m_begin < 0 || ws < 0 || ws < r.in_first) return false;
  for (int c = 0; c < p.out_channels; ++c) {
    r.out[c].resize(static_cast<size_t>(n));
    p.kernel.run(f, r.in[c].data(), r.in_first, r.len, r.m_begin, n, r.out[c].data());
  }
  return true;
}

PolyphaseResampler::PolyphaseResampler(int out_rate, int out_channels, simd::Level level)
    : out_rate_(out_rate), out_channels_(out_channels), kernel_(select_resample_kernel(level)) {}

bool PolyphaseResampler::configure(const AVFrame* f) {
  const auto fmt = static_cast<AVSampleFormat>(f->format);
  const int ch = frame_channels(f);
  if (!(fmt == AV_SAMPLE_FMT_FLTP || (fmt == AV_SAMPLE_FMT_FLT && ch == 1))) return false;
  if (f->sample_rate <= 0 || f->sample_rate == out_rate_ || ch < 1) return false;
  if (ch == out_channels_) {
    coef_.clear();
  } else if (out_channels_ == 1) {
    auto c = learn_swr_downmix(f);
    if (!c) return false;
    coef_ = std::move(*c);
  } else {
    return false;
  }
  if (!filter_ || filter_->in_rate != f->sample_rate) {
    filter_ = learn_swr_filter(f->sample_rate, out_rate_);
    if (!filter_) return false;
  }
  f_ = *filter_;
  group_ = kernel_.level == simd::Level::Avx512 && f_.Q >= 16 ? 16 * f_.Q : 1;
  mono_ = make_frame();
  mono_->format = AV_SAMPLE_FMT_FLTP;
  mono_->sample_rate = f->sample_rate;
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  av_channel_layout_default(&mono_->ch_layout, 1);
#else
  mono_->channels = 1;
  mono_->channel_layout = AV_CH_LAYOUT_MONO;
#endif
  in_channels_ = ch;
  buf_.resize(static_cast<size_t>(out_channels_));
  clear();
  return true;
}

void PolyphaseResampler::clear() {
  const int64_t mirror = std::max<int64_t>(0, -f_.offset);
  for (auto& b : buf_) {
    if (static_cast<int64_t>(b.size()) < mirror) b.resize(static_cast<size_t>(mirror));
    std::fill(b.begin(), b.begin() + mirror, 0.f);
  }
  first_ = -mirror;
  len_ = mirror;
  m_next_ = 0;
  primed_ = false;
}

float* PolyphaseResampler::grow(int c, int64_t n) {
  auto& b = buf_[c];
  if (static_cast<int64_t>(b.size()) < len_ + n) b.resize(static_cast<size_t>(std::max<int64_t>(2 * b.size(), len_ + n)));
  return b.data() + len_;
}

void PolyphaseResampler::commit(int64_t n) { len_ += n; }

void PolyphaseResampler::push(const AVFrame* f, int64_t off, int64_t count, SampleFifo& fifo) {
  if (count <= 0) return;
  planes_.resize(static_cast<size_t>(in_channels_));
  for (int c = 0; c < in_channels_; ++c) planes_[c] = reinterpret_cast<const float*>(f->extended_data[c]) + off;
  if (!coef_.empty()) {
    downmix(planes_.data(), in_channels_, coef_.data(), count, grow(0, count));
  } else {
    for (int c = 0; c < out_channels_; ++c) std::memcpy(grow(c, count), planes_[c], sizeof(float) * count);
  }
  commit(count);
  produce(fifo, false);
}

void PolyphaseResampler::push_mixed(const float* const* planes, int64_t count, SampleFifo& fifo) {
  if (count <= 0) return;
  for (int c = 0; c < out_channels_; ++c) std::memcpy(grow(c, count), planes[c], sizeof(float) * count);
  commit(count);
  produce(fifo, false);
}

void PolyphaseResampler::push_silence(int64_t count, SampleFifo& fifo) {
  if (count <= 0) return;
  for (int c = 0; c < out_channels_; ++c) std::fill_n(grow(c, count), count, 0.f);
  commit(count);
  produce(fifo, false);
}

void PolyphaseResampler::produce(SampleFifo& fifo, bool all) {
  const int64_t end = first_ + len_;
  if (!primed_) {
    // libswresample mirrors the run's first samples backwards (x[-n] = x[n]) once it has them.
    const int64_t mirror = -first_;
    if (end < mirror + 1) return;
    for (auto& b : buf_) {
      for (int64_t n = 1; n <= mirror; ++n) b[mirror - n] = b[mirror + n];
    }
    primed_ = true;
  }
  // Outputs m whose window [window_start(m), + taps) lies before `end`: floor(m P / Q) <= A.
  const int64_t A = end - f_.taps - f_.offset;
  if (A < 0) return;
  const int64_t m_last = ((A + 1) * f_.Q - 1) / f_.P;
  int64_t n = m_last - m_next_ + 1;
  if (!all && group_ > 1) n = (m_next_ + n) / group_ * group_ - m_next_;
  if (n <= 0) return;
  float* const* w = fifo.reserve(n);
  for (int c = 0; c < out_channels_; ++c) kernel_.run(f_, buf_[c].data(), first_, len_, m_next_, n, w[c]);
  fifo.commit(n);
  m_next_ += n;
  // Keep the windows of the outputs still to write (a group may be held back) and history().
  const int64_t dead = std::min(window_start(m_next_), end - history()) - first_;
  if (dead >= kCompactEvery) {
    for (auto& b : buf_) std::memmove(b.data(), b.data() + dead, sizeof(float) * (len_ - dead));
    first_ += dead;
    len_ -= dead;
  }
}

std::shared_ptr<const ResamplePlan> PolyphaseResampler::plan(const AVFrame* params, double t0, int64_t tolerance) const {
  auto p = std::make_shared<ResamplePlan>();
  p->f = f_;
  p->coef = coef_;
  p->in_channels = in_channels_;
  p->out_channels = out_channels_;
  p->params = make_frame();
  p->params->format = params->format;
  p->params->sample_rate = params->sample_rate;
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 24, 100)
  if (av_channel_layout_copy(&p->params->ch_layout, &params->ch_layout) < 0) return nullptr;
#else
  p->params->channels = params->channels;
  p->params->channel_layout = params->channel_layout;
#endif
  p->t0 = t0;
  p->tolerance = tolerance;
  p->kernel = kernel_;
  return p;
}

void PolyphaseResampler::continue_after(const ResampledRun& r, int64_t origin) {
  const int64_t from = std::max(r.in_first, r.in_end - history());
  const int64_t n = r.in_end - from;
  for (int c = 0; c < out_channels_; ++c) {
    auto& b = buf_[c];
    if (static_cast<int64_t>(b.size()) < n) b.resize(static_cast<size_t>(n));
    std::memcpy(b.data(), r.in[c].data() + (from - r.in_first), sizeof(float) * n);
  }
  first_ = from - origin;
  len_ = n;
  m_next_ = r.m_end - origin / f_.P * f_.Q;
  primed_ = true;
}

void PolyphaseResampler::flush(SampleFifo& fifo) {
  produce(fifo, true);
  const int64_t end = first_ + len_;
  if (end <= 0) {
    clear();
    return;
  }
  // A phase-aligned start at least two filter lengths before the end (or the run's own start).
  const int64_t a = std::max<int64_t>(0, end - 2 * f_.taps) / f_.P * f_.P;
  if (a < first_) throw std::logic_error("PolyphaseResampler: flush lost its hand-over samples");
  const int64_t m_base = a / f_.P * f_.Q;
  const int64_t skip = m_next_ - m_base;
  if (skip < 0) throw std::logic_error("PolyphaseResampler: flush starts after the next output");
  std::vector<std::vector<float>> tails(static_cast<size_t>(out_channels_));
  int64_t n = -1;
  for (int c = 0; c < out_channels_; ++c) {
    UniqueSwrContext swr = make_float_resampler(mono_.get(), out_rate_, 1);
    if (!swr) throw std::runtime_error("cannot set up the resampler for the end of the audio");
    tails[c] = swr_convert_all(swr.get(), buf_[c].data() + (a - first_), end - a);
    const int64_t got = static_cast<int64_t>(tails[c].size()) - skip;
    n = n < 0 ? got : std::min(n, got);
  }
  if (n > 0) {
    float* const* w = fifo.reserve(n);
    for (int c = 0; c < out_channels_; ++c) std::memcpy(w[c], tails[c].data() + skip, sizeof(float) * n);
    fifo.commit(n);
  }
  clear();
}

}  // namespace vxfast
