# ISA flags per source file, from the file name. The library is built for the baseline ISA; only
# these translation units get wider instructions, and common/simd.h only calls them on CPUs that
# run them:
#   *_avx2.cpp        AVX2 + FMA + F16C
#   *_avx512.cpp      AVX-512 F/BW/DQ/VL (+ the AVX2 set)
#   *_avx512vbmi.cpp  the AVX-512 set + VBMI (callers check the VBMI CPUID bit themselves)
#   *_neon.cpp        Advanced SIMD: baseline on AArch64, no flag needed
# Files for another architecture are dropped from the list. No pragmas or target attributes: the
# flags are the same for GCC and Clang.
#
# ODR hazard of whole-file flags: an inline or template function (std:: included) that such a file
# emits out of line is a weak symbol the linker may keep for baseline callers too, which would then
# run AVX-512 code on a CPU without it. ISA files keep their code in anonymous namespaces, and
# scripts/check_isa_objects.sh fails the build check if one of their objects defines weak symbols.

set(VXFAST_FLAGS_AVX2 -mavx2 -mfma -mf16c)
set(VXFAST_FLAGS_AVX512 ${VXFAST_FLAGS_AVX2} -mavx512f -mavx512bw -mavx512dq -mavx512vl)
set(VXFAST_FLAGS_AVX512VBMI ${VXFAST_FLAGS_AVX512} -mavx512vbmi)

# vxfast_simd_sources(<list variable>): sets the ISA flags of the files in the list and removes the
# ones this target architecture cannot build.
function(vxfast_simd_sources list_var)
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" proc)
  set(x86 OFF)
  if(proc MATCHES "^(x86_64|amd64|i[3-6]86|x86)$")
    set(x86 ON)
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "cmake/simd.cmake: the per-file ISA flags are written for GCC and Clang")
  endif()
  set(kept "")
  foreach(src IN LISTS ${list_var})
    get_filename_component(stem "${src}" NAME_WE)
    set(flags "")
    set(isa_file ON)
    if(stem MATCHES "_avx512vbmi$")
      set(flags ${VXFAST_FLAGS_AVX512VBMI})
    elseif(stem MATCHES "_avx512$")
      set(flags ${VXFAST_FLAGS_AVX512})
    elseif(stem MATCHES "_avx2$")
      set(flags ${VXFAST_FLAGS_AVX2})
    else()
      set(isa_file OFF)
    endif()
    if(isa_file AND NOT x86)
      continue()  # x86 kernels: nothing to build elsewhere (the dispatchers check __x86_64__)
    endif()
    if(flags)
      set_source_files_properties("${src}" PROPERTIES COMPILE_OPTIONS "${flags}")
    endif()
    list(APPEND kept "${src}")
  endforeach()
  set(${list_var} "${kept}" PARENT_SCOPE)
endfunction()
