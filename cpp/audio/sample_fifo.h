#pragma once
#include <cstdint>
#include <vector>

namespace vxfast {

// Planar float samples with absolute positions: holds samples [begin(), end()) of a stream, one
// buffer per channel. Writers reserve space at the tail and commit what they wrote; readers drop
// from the head. The buffers are reused (compacted in place, grown only when the retained span
// needs it), so streaming keeps memory at the largest span a caller holds. Not thread-safe.
class SampleFifo {
 public:
  void reset(int channels, int64_t begin);
  int channels() const { return static_cast<int>(buf_.size()); }
  int64_t begin() const { return begin_; }
  int64_t end() const { return begin_ + size_; }
  int64_t size() const { return size_; }

  // Write pointers for n more samples per channel (valid until the next reserve/drop/reset).
  float* const* reserve(int64_t n);
  void commit(int64_t n) { size_ += n; }
  // Samples of channel c from begin().
  const float* channel(int c) const { return buf_[c].data() + head_; }
  // Forgets the samples before `index` (at most all of them: begin() never passes end()).
  void drop_to(int64_t index);
  // Copies samples [from, from + n) of every channel to out + c * stride (caller checks the span).
  void copy_out(int64_t from, int64_t n, float* out, int64_t stride) const;

 private:
  std::vector<std::vector<float>> buf_;
  std::vector<float*> ptrs_;
  int64_t head_ = 0;   // index of begin() inside the buffers
  int64_t size_ = 0;
  int64_t begin_ = 0;
};

}  // namespace vxfast
