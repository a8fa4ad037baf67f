#!/usr/bin/env bash
# Fails if an ISA object file (*_avx2, *_avx512*, *_neon: built with wide-ISA flags by
# cmake/simd.cmake) defines a weak or unique (COMDAT-style) symbol. Such a symbol is an inline or
# template function emitted out of line; the linker keeps one copy for the whole library, and if it
# keeps the AVX-512 one, baseline callers crash with SIGILL on CPUs without AVX-512.
# Usage: scripts/check_isa_objects.sh BUILD_DIR   (after building; needs nm from binutils)
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
mapfile -t objs < <(find "$build" -name '*.o' \( -name '*_avx2.cpp.o' -o -name '*_avx512*.cpp.o' -o -name '*_neon.cpp.o' \) | sort)
if [ ${#objs[@]} -eq 0 ]; then
  echo "check_isa_objects: no ISA object files under $build (build first)" >&2
  exit 2
fi
bad=0
for o in "${objs[@]}"; do
  # W/V: weak (defined) symbols; u: GNU unique (static locals of inline functions).
  # Clang LTO objects are LLVM bitcode: GNU nm cannot read them (GCC's slim LTO objects it can).
  tool=nm
  if [ "$(head -c 2 "$o")" = "BC" ]; then
    tool=$(command -v llvm-nm || ls /usr/bin/llvm-nm-* 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$tool" ] || { echo "check_isa_objects: $o is LLVM bitcode and llvm-nm is missing" >&2; exit 2; }
  fi
  syms=$("$tool" -C --defined-only "$o" | awk '$2 ~ /^[WVu]$/' || true)
  if [ -n "$syms" ]; then
    echo "FAIL $o defines weak/unique symbols (give them internal linkage):" >&2
    echo "$syms" | sed 's/^/    /' >&2
    bad=1
  fi
done
if [ $bad -eq 0 ]; then
  echo "check_isa_objects: ${#objs[@]} ISA objects, no weak or unique symbols"
fi
exit $bad
