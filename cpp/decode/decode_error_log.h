#pragma once
#include <atomic>
#include <cstdint>

namespace vxfast {

// Counts the errors FFmpeg's decoders report through av_log while decoding for one session.
//
// Why a log hook: H.264/HEVC decoders conceal damaged slices and return success; the only signal
// that a frame was patched up is their "error while decoding MB" / "concealing ..." log lines (the
// AV_FRAME_FLAG_CORRUPT and decode_error_flags are not set by every decoder in FFmpeg 5.x).
// (and under frame threading the flags reach the output frame only sometimes: a race in 5.1).
// Lines are attributed through AVCodecContext.opaque, which frame-threading workers copy from the
// main context; only registered counters are ever dereferenced. Every line is passed on to
// FFmpeg's default logger, which honours av_log_set_level() (vxfast.set_log_level()).
//
// Process-wide effect: the hook is installed once, when the first decoding session opens (never at
// import). FFmpeg has no getter for the current callback, so it cannot chain to one that another
// library installed earlier; it forwards to av_log_default_callback instead. A library that sets
// its own callback later wins, and then only the frame flags and return codes are counted.
struct DecodeErrorCounter {
  std::atomic<int64_t> errors{0};
};

void register_error_counter(DecodeErrorCounter* c);    // also installs the hook once
void unregister_error_counter(DecodeErrorCounter* c);

}  // namespace vxfast
