#pragma once
#include <cstdint>
#include <string>

namespace vxfast {

// What an AudioReader reports about its source stream (before resampling).
struct AudioInfo {
  std::string path;
  std::string codec;        // FFmpeg codec name, e.g. "aac", "pcm_s16le"
  std::string sample_fmt;   // decoded sample format, e.g. "fltp", "s16"
  int sample_rate = 0;
  int channels = 0;
  std::string layout;       // e.g. "mono", "stereo", "5.1(side)"; "" when unknown
  double duration = 0;      // seconds (stream header, else container); 0 when unknown
  // Time of the first decoded sample on the stream's clock (the clock of VideoReader's Frame.pts):
  // the first audio frame's pts after the decoder dropped the codec's priming samples.
  double start_time = 0;
  int stream_index = -1;    // in the container
  int audio_stream_count = 0;
  int64_t bit_rate = 0;
  std::string container;
};

// Decode counters since the reader (or iterator) opened.
struct AudioStats {
  int64_t packets = 0;
  int64_t frames = 0;
  int64_t corrupt_packets = 0;  // packets or frames the decoder rejected or flagged; skipped
  int64_t gap_samples = 0;      // input samples of silence put in for holes in the timestamps
  int64_t overlap_samples = 0;  // input samples dropped because their timestamps overlapped
  int64_t seeks = 0;
};

}  // namespace vxfast
