#pragma once
// Candidate output of the ISA translation units' scans. They must not instantiate std::vector's
// growth code (an out-of-line template copy built with AVX-512 flags could be the one the linker
// keeps for baseline callers), so candidates go to a fixed local buffer, flushed through
// append_candidates() (class_scan.cpp, baseline flags) every kCap entries and by an explicit
// flush() before the kernel returns. No destructor: a noexcept one that may call a throwing
// function makes Clang emit a weak __clang_call_terminate in the ISA object.
#include <cstddef>
#include <cstdint>

#include "postprocess/class_scan.h"

namespace {

class CandidateBuffer {
 public:
  explicit CandidateBuffer(vxfast::post::Candidates& out) : out_(out) {}
  CandidateBuffer(const CandidateBuffer&) = delete;
  CandidateBuffer& operator=(const CandidateBuffer&) = delete;

  void push(int64_t a, float score, int cls) {
    anchor_[n_] = static_cast<int32_t>(a);
    score_[n_] = score;
    cls_[n_] = cls;
    if (++n_ == kCap) flush();
  }
  void flush() {
    if (n_) vxfast::post::append_candidates(out_, anchor_, score_, cls_, n_);
    n_ = 0;
  }

 private:
  static constexpr size_t kCap = 256;
  vxfast::post::Candidates& out_;
  size_t n_ = 0;
  int32_t anchor_[kCap];
  float score_[kCap];
  int32_t cls_[kCap];
};

}  // namespace
