// Codec cues from one demux pass over the best video stream's packets.
//
// Picture types come from av_parser_parse2 with PARSER_FLAG_COMPLETE_FRAMES (the demuxer already
// delivers whole frames): the H.264/HEVC/MPEG-1/2/4/VP9/AV1 parsers read the slice or picture header
// and set pict_type without decoding. Packets the parser leaves untyped (no parser for the codec,
// empty packets) count as 'I' when the packet has the key flag and '?' otherwise.
// Keyframes are packets with AV_PKT_FLAG_KEY; their display index is the rank of their pts among
// all packets' pts (decode order when some packet has no pts, as in many AVI files).
#include "features/codec_stats.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "common/errors.h"
#include "common/ffmpeg_common.h"

namespace vxfast::features {
namespace {

struct ParserCloser {
  void operator()(AVCodecParserContext* p) const { av_parser_close(p); }
};
using UniqueParser = std::unique_ptr<AVCodecParserContext, ParserCloser>;

char type_char(int pict_type) {
  switch (pict_type) {
    case AV_PICTURE_TYPE_I:
    case AV_PICTURE_TYPE_SI: return 'I';
    case AV_PICTURE_TYPE_P:
    case AV_PICTURE_TYPE_SP: return 'P';
    case AV_PICTURE_TYPE_B:
    case AV_PICTURE_TYPE_BI: return 'B';
    case AV_PICTURE_TYPE_S: return 'S';
    default: return 0;
  }
}

// FF_PROFILE_UNKNOWN, renamed AV_PROFILE_UNKNOWN in FFmpeg 6.1; the value never changed.
constexpr int kProfileUnknown = -99;

struct PacketInfo {
  int64_t pts;
  bool key;
};

}  // namespace

CodecStats codec_stats(const std::string& path) {
  AVFormatContext* raw = nullptr;
  if (int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); err < 0)
    throw VideoError("cannot open video '" + path + "': " + av_error_string(err));
  UniqueAVFormatContext fmt(raw);
  // The same stream probe ffprobe does; it fills in fps and profile for containers that lack them.
  if (int err = avformat_find_stream_info(fmt.get(), nullptr); err < 0)
    throw VideoError("cannot read stream info of '" + path + "': " + av_error_string(err));
  const int si = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (si < 0) throw VideoError("no video stream in '" + path + "'");
  AVStream* st = fmt->streams[si];
  const AVCodecParameters* par = st->codecpar;

  CodecStats s;
  s.codec = avcodec_get_name(par->codec_id);
  s.width = par->width;
  s.height = par->height;
  s.bit_rate_declared = par->bit_rate > 0 ? par->bit_rate : 0;
  const AVRational fr = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  s.fps_declared = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0.0;

  UniqueAVCodecContext ctx(avcodec_alloc_context3(nullptr));
  if (!ctx || avcodec_parameters_to_context(ctx.get(), par) < 0)
    throw VideoError("cannot set up a parser context for '" + path + "'");
  UniqueParser parser(av_parser_init(par->codec_id));
  if (parser) parser->flags |= PARSER_FLAG_COMPLETE_FRAMES;

  std::vector<PacketInfo> packets;
  std::map<char, int64_t> bytes;
  bool all_parsed = true, all_pts = true;
  int64_t total_bytes = 0;
  UniqueAVPacket pkt = make_packet();
  for (;;) {
    const int err = av_read_frame(fmt.get(), pkt.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) throw VideoError("cannot read packets of '" + path + "': " + av_error_string(err));
    PacketRef unref(pkt.get());
    if (pkt->stream_index != si) continue;
    char t = 0;
    if (parser && pkt->size > 0) {
      uint8_t* out = nullptr;
      int out_size = 0;
      av_parser_parse2(parser.get(), ctx.get(), &out, &out_size, pkt->data, pkt->size, pkt->pts, pkt->dts,
                       pkt->pos);
      t = type_char(parser->pict_type);
    }
    const bool key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
    if (!t) {
      all_parsed = false;
      t = key ? 'I' : '?';
    }
    s.type_counts[t] += 1;
    bytes[t] += pkt->size;
    total_bytes += pkt->size;
    if (pkt->pts == AV_NOPTS_VALUE) all_pts = false;
    packets.push_back({pkt->pts, key});
  }
  if (packets.empty()) throw VideoError("video stream of '" + path + "' has no packets");
  s.packets = static_cast<int64_t>(packets.size());
  s.types_source = parser && all_parsed ? "parser" : "parser+flags";
  for (const auto& [t, c] : s.type_counts) s.type_mean_size[t] = static_cast<double>(bytes[t]) / c;

  // Profile: the probe's, else what the parser read from the sequence header.
  const int profile = par->profile != kProfileUnknown ? par->profile : ctx->profile;
  const char* pname = avcodec_profile_name(par->codec_id, profile);
  s.profile = pname ? pname : "";

  std::vector<int64_t> order(packets.size());
  std::iota(order.begin(), order.end(), 0);
  if (all_pts)
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return packets[a].pts < packets[b].pts; });
  for (size_t rank = 0; rank < order.size(); ++rank)
    if (packets[order[rank]].key) s.keyframe_display_indices.push_back(static_cast<int64_t>(rank));
  const auto& k = s.keyframe_display_indices;
  if (k.size() >= 2) {
    int64_t sum = 0;
    for (size_t i = 1; i < k.size(); ++i) {
      sum += k[i] - k[i - 1];
      s.gop_max = std::max(s.gop_max, k[i] - k[i - 1]);
    }
    s.gop_mean = static_cast<double>(sum) / static_cast<double>(k.size() - 1);
  } else {
    // One keyframe (or none): the whole stream is one open GOP.
    s.gop_mean = static_cast<double>(s.packets);
    s.gop_max = s.packets;
  }

  if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
    s.duration = static_cast<double>(st->duration) * av_q2d(st->time_base);
  else if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
    s.duration = static_cast<double>(fmt->duration) / AV_TIME_BASE;
  else if (s.fps_declared > 0)
    s.duration = static_cast<double>(s.packets) / s.fps_declared;
  // Headers lie (vtest.avi declares 50 fps for 341 frames over 13.64 s), so the rate reported is
  // the one the packets give.
  s.fps = s.duration > 0 ? static_cast<double>(s.packets) / s.duration : s.fps_declared;
  s.bit_rate = s.duration > 0 ? static_cast<double>(total_bytes) * 8.0 / s.duration : 0.0;
  return s;
}

}  // namespace vxfast::features
