#pragma once
// GCC/Clang vector-extension types of the fast feature kernels (types only: the code using them is
// compiled per ISA in fast_*.cpp). Same-size casts to and from __m256 / __m512 are free.
#include <cstdint>

namespace vxfast::features::vec {
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint8_t v8u8 __attribute__((vector_size(8)));
typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));
}  // namespace vxfast::features::vec
