#include "audio/sample_fifo.h"

#include <algorithm>
#include <cstring>

namespace vxfast {

void SampleFifo::reset(int channels, int64_t begin) {
  buf_.resize(channels);
  ptrs_.resize(channels);
  head_ = 0;
  size_ = 0;
  begin_ = begin;
}

float* const* SampleFifo::reserve(int64_t n) {
  if (buf_.empty()) return ptrs_.data();
  int64_t cap = static_cast<int64_t>(buf_[0].size());
  if (head_ + size_ + n > cap) {
    if (head_ > 0) {  // slide the live span to the front before growing
      for (auto& b : buf_) std::memmove(b.data(), b.data() + head_, sizeof(float) * size_);
      head_ = 0;
    }
    if (size_ + n > cap) {
      int64_t want = std::max<int64_t>(size_ + n, cap + cap / 2);
      for (auto& b : buf_) b.resize(want);
    }
  }
  for (size_t c = 0; c < buf_.size(); ++c) ptrs_[c] = buf_[c].data() + head_ + size_;
  return ptrs_.data();
}

void SampleFifo::drop_to(int64_t index) {
  if (index <= begin_) return;
  int64_t n = std::min(index - begin_, size_);
  head_ += n;
  size_ -= n;
  begin_ += n;
  if (size_ == 0) head_ = 0;
}

void SampleFifo::copy_out(int64_t from, int64_t n, float* out, int64_t stride) const {
  if (n <= 0) return;
  for (size_t c = 0; c < buf_.size(); ++c) {
    std::memcpy(out + c * stride, buf_[c].data() + head_ + (from - begin_), sizeof(float) * n);
  }
}

}  // namespace vxfast
