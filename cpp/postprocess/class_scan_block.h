#pragma once
// Pieces every class-row scan shares (scalar in class_scan.cpp, the per-ISA files). Internal
// linkage on purpose: the ISA files include this too, and an out-of-line copy with external
// linkage built with their flags could be picked for baseline callers (scripts/check_isa_objects.sh).
#include <cstdint>

namespace vxfast::post {
namespace {

// Anchors per block of the class-row scan: the block's running best scores (16 KB) stay in L1
// while each class row streams through.
constexpr int64_t kBlock = 4096;

// The first class whose score equals v (numpy's argmax: first maximum); the last if none does.
inline int first_equal(const float* s, int nc, float v) {
  int c = 0;
  while (c < nc - 1 && !(s[c] == v)) ++c;
  return c;
}

}  // namespace
}  // namespace vxfast::post
