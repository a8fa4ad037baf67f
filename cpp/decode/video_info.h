#pragma once
#include <cstdint>
#include <string>

namespace vxfast {

// What a VideoReader reports about its video stream. With an exact index (the default) fps,
// frame_count and duration come from the packets as they play, not from container headers (AVI
// headers in particular lie: vtest.avi claims 682 frames at 50 fps and plays 341 at 25 fps).
struct VideoInfo {
  std::string path;
  int width = 0;   // as delivered: after rotation when rotation is applied
  int height = 0;
  int coded_width = 0;
  int coded_height = 0;
  double fps = 0;
  int64_t frame_count = 0;
  bool frame_count_exact = false;
  double duration = 0;  // seconds, frame_count / fps for an exact index
  // pts of the first frame in seconds on the stream's clock (not 0 for MPEG-TS, late-starting
  // streams, some edit lists); frames play from start_time to start_time + duration.
  double start_time = 0;
  std::string codec;
  std::string pix_fmt;
  int64_t bit_rate = 0;
  int rotation = 0;  // clockwise degrees to display upright (0/90/180/270)
  bool rotation_applied = false;
  bool has_audio = false;
  int audio_sample_rate = 0;
  int audio_channels = 0;
  std::string audio_codec;
  double header_fps = 0;            // what the container claims, for diagnostics
  int64_t header_frame_count = 0;
  int64_t keyframe_count = -1;      // -1 when unknown (approximate mode)
  std::string container;
  std::string color_space;          // e.g. bt709, unknown
  std::string color_range;          // tv / pc / unknown
};

}  // namespace vxfast
