#pragma once
#include <cstdint>
#include <vector>

#include "decode/demuxer.h"

namespace vxfast {

// Display-order table of a video stream built by one demux-only pass over its packets (no decoding).
// It is what makes frame counts, fps, accurate seeks and index-based sampling independent of what
// the container header claims.
//
// Two ways to tell which frame a decoder just produced:
//  - by_pts: every packet carries a unique pts (MP4, MKV, TS, WebM...): look the frame's pts up.
//  - counting: packets carry only dts (AVI, raw streams) or duplicate pts: frames come out of the
//    decoder in display order, so after a seek to a keyframe the n-th frame out is that keyframe's
//    display index + n. A keyframe's display index is its decode position plus the B-frames that
//    follow it in decode order before the next I/P frame (they are shown before it: MPEG-4 ASP and
//    H.264 in AVI do this); frame types come from FFmpeg's parser during the scan.
struct FrameIndex {
  std::vector<int64_t> display_ts;  // stream time base, ascending, one per frame
  // Presentation time in seconds on the stream's own clock (the stream's start offset included:
  // MPEG-TS starts near 1.4 s, an MP4 with an edit list where the edit says), strictly increasing.
  // Equals what PyAV reports as frame.time for the same frame.
  std::vector<double> pts_sec;
  std::vector<int64_t> key_display; // display indices of keyframes, ascending
  std::vector<int64_t> key_seek_ts; // timestamp to hand the demuxer to land on each keyframe
  std::vector<int64_t> key_dts;     // each keyframe packet's dts (AV_NOPTS_VALUE if none)
  std::vector<int64_t> key_decode_pos; // decode-order position of each keyframe's packet
  bool by_pts = false;
  int corrupt_packets = 0;          // packets the demuxer could not read (truncated files)
  AVRational time_base{1, 1};

  int64_t frame_count() const { return static_cast<int64_t>(display_ts.size()); }
  // Largest keyframe position (into key_display) whose display index is <= idx; 0 if none.
  size_t keyframe_at_or_before(int64_t idx) const;
  // Counting mode: display index of the keyframe whose packet has decode position pos; -1 if none.
  int64_t keyframe_display_for_decode_pos(int64_t pos) const;
  // Display index of a decoded frame's timestamp under by_pts; -1 when not in the table.
  int64_t lookup_ts(int64_t ts) const;
  // First display index whose pts_sec >= t (frame_count() if none).
  int64_t first_at_or_after(double t) const;
  // The frame shown at time t: last display index with pts_sec <= t (0 if t precedes the first).
  int64_t shown_at(double t) const;
  double fps() const;       // (frames - 1) / (last pts - first pts); 0 for fewer than two frames
  double duration() const;  // frames / fps: the first frame's pts to the end of the last frame
  double start_time() const { return pts_sec.empty() ? 0 : pts_sec.front(); }
  double end_time() const { return start_time() + duration(); }

  // Reads all packets of the demuxer's stream; leaves the demuxer at end of file.
  static FrameIndex build(Demuxer& dmx);
};

}  // namespace vxfast
