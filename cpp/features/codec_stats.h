#pragma once
// Codec cues of a video read from its packets alone: a demux pass, and FFmpeg's bitstream parser
// for picture types (av_parser_parse2 reads slice headers, no pixels are reconstructed).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vxfast::features {

struct CodecStats {
  std::string codec, profile;
  int width = 0, height = 0;
  double fps = 0;           // packets / duration
  double fps_declared = 0;  // the stream header's average (else nominal) frame rate
  double duration = 0;      // seconds: the stream's, else the container's
  double bit_rate = 0;            // measured: packet bytes * 8 / duration
  int64_t bit_rate_declared = 0;  // the container's / stream header's figure, 0 when absent
  int64_t packets = 0;
  std::vector<int64_t> keyframe_display_indices;
  double gop_mean = 0;
  int64_t gop_max = 0;
  std::string types_source;  // "parser": every type from the parser; "parser+flags": some from key flags
  std::map<char, int64_t> type_counts;  // 'I', 'P', 'B' (and 'S', '?' when they occur)
  std::map<char, double> type_mean_size;
};

// Throws VideoError naming `path` when it cannot be opened or has no video stream.
CodecStats codec_stats(const std::string& path);

}  // namespace vxfast::features
