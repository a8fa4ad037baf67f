#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "decode/decode_error_log.h"
#include "decode/demuxer.h"
#include "decode/frame_index.h"
#include "decode/stream_decoder.h"

namespace vxfast {

struct DecodedFrame {
  const AVFrame* frame = nullptr;  // owned by the session, valid until the next call
  int64_t index = -1;              // display order
  double pts = 0;                  // seconds on the stream's clock (FrameIndex::pts_sec)
  bool keyframe = false;
};

struct DecodeCounters {
  int64_t corrupt_packets = 0;  // packets the demuxer or decoder rejected
  int64_t corrupt_frames = 0;   // frames the decoder flagged as damaged (still delivered, concealed)
  int64_t decoder_errors = 0;   // errors the decoder reported while concealing damage
  int64_t decoded_frames = 0;
  int64_t seeks = 0;
};

// One forward-decoding cursor over a video: its own demuxer and decoder, so several sessions over
// one file (several iterators, several threads) never disturb each other. The FrameIndex is shared
// and immutable. Not thread-safe itself.
class DecodeSession {
 public:
  // index may be null (approximate mode): indices are then counted or estimated from pts * fps.
  DecodeSession(const MediaInput& input, std::shared_ptr<const FrameIndex> index, int threads,
                bool keyframes_only, double approx_fps);
  ~DecodeSession();
  DecodeSession(const DecodeSession&) = delete;
  DecodeSession& operator=(const DecodeSession&) = delete;

  // Decodes the next frame in display order. False at end of stream.
  bool next(DecodedFrame& out);
  // Repositions on the keyframe at or before display index idx; the next frames start there.
  void seek_to(int64_t idx);
  // Display index the next frame will (at least) have; -1 right after a seek in approximate mode.
  int64_t position() const { return next_index_; }

  DecodeCounters counters() const {
    DecodeCounters c = counters_;
    c.decoder_errors = errors_.errors.load();
    return c;
  }
  const AVStream* stream() const { return dmx_->stream(); }

 private:
  bool feed_one_packet();  // false once the end of the stream has been sent
  // Positions the demuxer on keyframe k of the index; attempt 0 uses its seek timestamp, 1 its dts,
  // and anything else (or a failed seek) reopens the file at the start.
  void seek_to_key(size_t k, int attempt);
  // After a seek (by_pts): false when the packet read must be dropped because it precedes the
  // keyframe the seek aimed at; may re-seek when the demuxer landed past that keyframe.
  bool keep_after_seek(bool key);
  // Approximate mode after a seek: drops packets up to the first keyframe, and seeks further back
  // while that keyframe lies after the target (demuxers that index every packet land mid-GOP).
  bool keep_after_approx_seek(bool key);
  void restart_decoder();  // after a demuxer seek: flush and forget packets in flight
  int64_t assign_index(const AVFrame* f);
  void reopen();

  MediaInput input_;
  std::string path_;
  std::shared_ptr<const FrameIndex> index_;
  int threads_;
  bool keyframes_only_;
  double approx_fps_;
  std::unique_ptr<Demuxer> dmx_;
  std::unique_ptr<StreamDecoder> dec_;
  UniqueAVPacket pkt_ = make_packet();
  UniqueAVFrame frame_ = make_frame();
  bool pending_packet_ = false;
  bool eof_sent_ = false;
  bool need_anchor_ = true;        // counting mode: the next packet's dts fixes the index
  bool wait_for_key_ = false;      // counting mode after a seek: drop frames until the keyframe
  bool estimate_after_seek_ = false;
  int64_t seek_key_ = -1;          // by_pts after a seek: keyframe (into key_display) still awaited
  int seek_attempt_ = 0;
  bool first_after_seek_ = false;
  bool approx_await_key_ = false;
  int64_t approx_target_ts_ = 0;
  int approx_backoff_ = 0;
  int64_t next_index_ = 0;
  std::deque<int64_t> key_fifo_;   // keyframes-only + counting: indices of keyframes sent
  double last_pts_ = 0;
  bool have_pts_ = false;
  int64_t start_ts_ = AV_NOPTS_VALUE;
  DecodeCounters counters_;
  DecodeErrorCounter errors_;
};

}  // namespace vxfast
