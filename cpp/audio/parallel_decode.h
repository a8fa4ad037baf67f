#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "audio/audio_info.h"
#include "audio/polyphase_resampler.h"
#include "common/ffmpeg_common.h"

namespace vxfast {

// Decodes an AAC-LC stream on several threads, handing the frames back in stream order.
//
// Why it is exact: an AAC-LC frame's output depends on its own packet and on the previous frame's
// MDCT overlap and window shape, nothing older. So the caller's thread cuts the packet sequence
// into blocks (kBlockPackets each), and a worker decodes a block (its decoder flushed) after
// kPrerollPackets packets of pre-roll whose output it drops (two, so that a rejected packet right
// before the block still leaves the decoder in the state the sequential decode has). The kept
// frames are bit-identical to a sequential decode, with one exception the bitstream allows: PNS
// (perceptual noise substitution) bands are filled from a random generator whose state runs on
// across the whole stream, so in those bands a block's noise is a different draw of the same
// energy. Only AAC-LC qualifies: Main (prediction), LTP and SBR/PS carry longer state.
//
// Demuxing stays on the caller's thread (it owns the AVFormatContext; av_read_frame is cheap), so
// seeking only needs this object destroyed first. Memory: at most max_blocks() blocks of decoded
// frames in flight. Counters (packets read, packets/frames rejected, frames) reach the caller's
// AudioStats with the frame they preceded, so at every frame handed out they equal the sequential
// decode's.
// With a ResamplePlan, the workers also downmix and resample each block (so the frames never cross
// threads and the consumer only copies): a block whose frames all have the plan's settings and sit
// contiguously on the plan's timeline (pre-roll included) comes back as a ResampledRun, its frames
// already recycled. The consumer checks that the run continues its own resampler exactly and takes
// it (accept), or has the block decoded again on its own thread into frames (expand), e.g. after a
// gap it filled with silence. Any other block comes back as frames.
// One consumer thread; not otherwise thread-safe.
class ParallelAacDecode {
 public:
  static constexpr int kPrerollPackets = 2;
  // ~1.5 s at 44.1 kHz: the pre-roll costs 3 %. 256 (more frames in flight) cost more CPU in the
  // first version, before blocks were recycled; not re-measured since.
  static constexpr int kBlockPackets = 64;

  // fmt: the caller's demuxer, positioned where decoding continues; it is read only inside next().
  // history: the last (up to kPrerollPackets) packets the caller's own decoder was fed, oldest
  // first: the first block's pre-roll.
  ParallelAacDecode(AVFormatContext* fmt, int stream_index, int threads,
                    std::deque<UniqueAVPacket> history, std::shared_ptr<const ResamplePlan> plan = nullptr);
  ~ParallelAacDecode();
  ParallelAacDecode(const ParallelAacDecode&) = delete;
  ParallelAacDecode& operator=(const ParallelAacDecode&) = delete;

  // The next frame in stream order (pts in seconds, NaN when it has none); false at the end.
  // Throws VideoError when a worker cannot set up its decoder.
  bool next(AVFrame* frame, double& pts, AudioStats& stats);

  size_t max_blocks() const { return max_blocks_; }

  // When the next piece in stream order is a block the workers resampled, nothing of it handed out
  // yet: its run (valid until the next call of any of these), else null.
  const ResampledRun* next_run(AudioStats& stats);
  // Takes that block whole: adds its counters.
  void accept(AudioStats& stats);
  // Decodes that block again here, into frames that next() hands out.
  void expand();
  // The consumer's counter minus the pts position of its samples (jitter it keeps ignoring): the
  // workers place their runs with it. A hint: a stale value only makes the consumer check fail.
  void set_offset(int64_t offset) { offset_.store(offset, std::memory_order_relaxed); }

 private:
  // Blocks are recycled with their packet and frame shells: allocating those per packet on one
  // thread and freeing them on another cost more CPU than the decode gained (malloc consolidation).
  struct Block {
    std::vector<UniqueAVPacket> packets;  // shells; the first n_packets hold data, pre-roll first
    size_t n_packets = 0;
    std::vector<int> flagged_before;  // per packet: packets flagged corrupt (dropped) just before it
    int preroll = 0;
    bool last = false;  // the demuxer ended after these packets: drain the decoder
    std::vector<UniqueAVFrame> frames;  // shells; the first n_frames hold decoded frames
    size_t n_frames = 0;
    std::vector<double> pts;
    // Counters as the sequential decode counts them: per frame, what it counted since the frame
    // before (packets fed, rejects, frames dropped); tail: after the block's last frame.
    std::vector<AudioStats> counted;
    AudioStats demux_tail;  // what demuxing counted after the last packet (flagged packets)
    AudioStats tail;
    std::string error;
    bool done = false;
    bool resampled = false;  // `run` holds the block (no frames)
    ResampledRun run;
    AVPacket* packet_slot();
  };

  void refill();
  std::shared_ptr<Block> demux_block();
  void work();
  UniqueAVCodecContext open_decoder() const;
  void decode(Block& b, AVCodecContext* dec, bool resample);
  bool place(Block& b, const AVFrame* f, bool keep, int64_t& expected, bool& first);
  bool advance(AudioStats& stats);

  AVFormatContext* fmt_;
  int stream_;
  AVStream* st_;
  AVRational tb_;
  size_t max_blocks_;
  std::deque<UniqueAVPacket> history_;
  std::shared_ptr<const ResamplePlan> plan_;
  std::atomic<int64_t> offset_{0};
  UniqueAVCodecContext own_dec_;  // the consumer's, for expand()
  UniqueAVPacket read_pkt_ = make_packet();
  bool demux_done_ = false;

  std::deque<std::shared_ptr<Block>> inflight_;  // in stream order; the consumer's view
  std::shared_ptr<Block> cur_;
  std::vector<std::shared_ptr<Block>> spare_;
  size_t cur_i_ = 0;

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::shared_ptr<Block>> todo_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace vxfast
