#include "decode/frame_index.h"

#include <algorithm>

#include "common/errors.h"

namespace vxfast {

namespace {
// Frame types of packets without decoding them, through FFmpeg's bitstream parser.
class ParserTypes {
 public:
  explicit ParserTypes(const AVStream* st) {
    parser_ = av_parser_init(st->codecpar->codec_id);
    const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!parser_ || !codec) return;
    parser_->flags |= PARSER_FLAG_COMPLETE_FRAMES;
    ctx_.reset(avcodec_alloc_context3(codec));
    if (ctx_ && avcodec_parameters_to_context(ctx_.get(), st->codecpar) < 0) ctx_.reset();
  }
  ~ParserTypes() {
    if (parser_) av_parser_close(parser_);
  }
  ParserTypes(const ParserTypes&) = delete;
  ParserTypes& operator=(const ParserTypes&) = delete;

  int pict_type(const AVPacket* pkt) {
    if (!parser_ || !ctx_) return AV_PICTURE_TYPE_NONE;
    uint8_t* out = nullptr;
    int out_size = 0;
    av_parser_parse2(parser_, ctx_.get(), &out, &out_size, pkt->data, pkt->size, pkt->pts, pkt->dts, pkt->pos);
    return parser_->pict_type;
  }

 private:
  AVCodecParserContext* parser_ = nullptr;
  UniqueAVCodecContext ctx_;
};
}  // namespace

size_t FrameIndex::keyframe_at_or_before(int64_t idx) const {
  auto it = std::upper_bound(key_display.begin(), key_display.end(), idx);
  return it == key_display.begin() ? 0 : static_cast<size_t>(it - key_display.begin() - 1);
}

int64_t FrameIndex::keyframe_display_for_decode_pos(int64_t pos) const {
  for (size_t k = 0; k < key_decode_pos.size(); ++k) {
    if (key_decode_pos[k] == pos) return key_display[k];
  }
  return -1;
}

int64_t FrameIndex::lookup_ts(int64_t ts) const {
  auto it = std::lower_bound(display_ts.begin(), display_ts.end(), ts);
  if (it == display_ts.end() || *it != ts) return -1;
  return it - display_ts.begin();
}

int64_t FrameIndex::first_at_or_after(double t) const {
  return std::lower_bound(pts_sec.begin(), pts_sec.end(), t - 1e-9) - pts_sec.begin();
}

int64_t FrameIndex::shown_at(double t) const {
  auto it = std::upper_bound(pts_sec.begin(), pts_sec.end(), t + 1e-9);
  return it == pts_sec.begin() ? 0 : (it - pts_sec.begin() - 1);
}

double FrameIndex::fps() const {
  size_t n = pts_sec.size();
  if (n < 2 || pts_sec.back() <= pts_sec.front()) return 0;
  return static_cast<double>(n - 1) / (pts_sec.back() - pts_sec.front());
}

double FrameIndex::duration() const {
  double f = fps();
  return f > 0 ? static_cast<double>(pts_sec.size()) / f : 0;
}

FrameIndex FrameIndex::build(Demuxer& dmx) {
  struct Entry {
    int64_t pts, dts;
    bool key;
    int pict_type;  // from the parser, only when packets lack pts (counting mode)
  };
  std::vector<Entry> pkts;
  UniqueAVPacket pkt = make_packet();
  int corrupt = 0;
  ParserTypes parser(dmx.stream());
  for (;;) {
    int err = dmx.read(pkt.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) {
      // A damaged tail: keep what was read. Count it so the caller can report it.
      ++corrupt;
      if (pkts.empty()) {
        throw VideoError(dmx.path() + ": no readable video packets (FFmpeg: " + av_error_string(err) + ")");
      }
      break;
    }
    PacketRef guard(pkt.get());
    if (pkt->size == 0 || (pkt->flags & AV_PKT_FLAG_DISCARD)) continue;
    bool need_types = pkt->pts == AV_NOPTS_VALUE || (!pkts.empty() && pkts.front().pict_type >= 0);
    int type = need_types ? parser.pict_type(pkt.get()) : -1;
    pkts.push_back({pkt->pts, pkt->dts, (pkt->flags & AV_PKT_FLAG_KEY) != 0, type});
  }
  FrameIndex idx;
  idx.time_base = dmx.stream()->time_base;
  idx.corrupt_packets = corrupt;
  if (pkts.empty()) throw VideoError(dmx.path() + ": video stream has no frames");

  bool all_pts = std::all_of(pkts.begin(), pkts.end(), [](const Entry& e) { return e.pts != AV_NOPTS_VALUE; });
  bool all_dts = std::all_of(pkts.begin(), pkts.end(), [](const Entry& e) { return e.dts != AV_NOPTS_VALUE; });
  std::vector<int64_t> ts(pkts.size());
  for (size_t i = 0; i < pkts.size(); ++i) {
    ts[i] = all_pts ? pkts[i].pts : all_dts ? pkts[i].dts : static_cast<int64_t>(i);
  }
  std::vector<int64_t> sorted = ts;
  std::sort(sorted.begin(), sorted.end());
  bool unique = std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
  idx.by_pts = all_pts && unique;
  idx.display_ts = sorted;

  // Keyframes: by_pts -> rank of their pts; counting -> decode position + trailing B-frames.
  for (size_t i = 0; i < pkts.size(); ++i) {
    if (!pkts[i].key) continue;
    int64_t disp = static_cast<int64_t>(i);
    if (idx.by_pts) {
      disp = idx.lookup_ts(ts[i]);
    } else {
      for (size_t j = i + 1; j < pkts.size() && pkts[j].pict_type == AV_PICTURE_TYPE_B; ++j) ++disp;
    }
    idx.key_decode_pos.push_back(static_cast<int64_t>(i));
    // FFmpeg 5.1's MP4 demuxer matches seek targets against presentation times: a keyframe's dts
    // (earlier than its pts with B-frames) lands one GOP early. dts-only containers seek by dts.
    int64_t seek_ts = idx.by_pts ? pkts[i].pts : pkts[i].dts != AV_NOPTS_VALUE ? pkts[i].dts : pkts[i].pts;
    idx.key_display.push_back(disp);
    idx.key_seek_ts.push_back(seek_ts);
    idx.key_dts.push_back(pkts[i].dts);
  }
  if (idx.key_display.empty() || idx.key_display.front() != 0) {
    // Streams that start without a flagged keyframe (some TS cuts): decode from the start anyway.
    idx.key_display.insert(idx.key_display.begin(), 0);
    idx.key_decode_pos.insert(idx.key_decode_pos.begin(), 0);
    idx.key_seek_ts.insert(idx.key_seek_ts.begin(), all_dts ? pkts[0].dts : AV_NOPTS_VALUE);
    idx.key_dts.insert(idx.key_dts.begin(), pkts[0].dts);
  }
  {
    // Sort keyframes by display index (their decode order is the same for closed GOPs).
    std::vector<size_t> order(idx.key_display.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return idx.key_display[a] < idx.key_display[b]; });
    std::vector<int64_t> kd, ks, kp, kt;
    for (size_t i : order) {
      if (!kd.empty() && kd.back() == idx.key_display[i]) continue;
      kd.push_back(idx.key_display[i]);
      ks.push_back(idx.key_seek_ts[i]);
      kp.push_back(idx.key_decode_pos[i]);
      kt.push_back(idx.key_dts[i]);
    }
    idx.key_display.swap(kd);
    idx.key_seek_ts.swap(ks);
    idx.key_decode_pos.swap(kp);
    idx.key_dts.swap(kt);
  }

  // Seconds on the stream's clock; duplicates (broken muxers) are nudged forward so pts stay
  // strictly increasing, by the median frame step.
  double tb = av_q2d(idx.time_base);
  size_t n = sorted.size();
  std::vector<int64_t> steps;
  for (size_t i = 1; i < n; ++i) if (sorted[i] > sorted[i - 1]) steps.push_back(sorted[i] - sorted[i - 1]);
  double step = 1.0 / 25;
  if (!steps.empty()) {
    std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
    step = steps[steps.size() / 2] * tb;
  }
  idx.pts_sec.resize(n);
  for (size_t i = 0; i < n; ++i) {
    // ts * num / den rounds once, as PyAV's Fraction-based frame.time does.
    double t = static_cast<double>(sorted[i]) * idx.time_base.num / idx.time_base.den;
    if (i > 0 && t <= idx.pts_sec[i - 1]) t = idx.pts_sec[i - 1] + step;
    idx.pts_sec[i] = t;
  }
  return idx;
}

}  // namespace vxfast
