#include "decode/video_source.h"

#include <cmath>

#include "common/errors.h"
#include "decode/stream_decoder.h"

namespace vxfast {

namespace {
std::string or_unknown(const char* s) { return s ? s : "unknown"; }
}  // namespace

VideoSource::VideoSource(const MediaInput& input, const ReaderOptions& opts) : input_(input), opts_(opts) {
  if (input.bytes && !input.bytes->seekable()) opts_.exact = false;
  const std::string& path = input.name();
  Demuxer dmx(input);
  const AVStream* st = dmx.stream();
  const AVCodecParameters* par = st->codecpar;
  { StreamDecoder probe(st, 1, path); }  // unsupported codecs fail here, at open, by name

  VideoInfo& in = info_;
  in.path = path;
  in.container = or_unknown(dmx.format()->iformat ? dmx.format()->iformat->name : nullptr);
  in.codec = or_unknown(avcodec_get_name(par->codec_id));
  in.pix_fmt = or_unknown(av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format)));
  in.coded_width = par->width;
  in.coded_height = par->height;
  in.bit_rate = par->bit_rate > 0 ? par->bit_rate : dmx.format()->bit_rate;
  in.rotation = stream_rotation_degrees(st);
  in.rotation_applied = opts.apply_rotation && in.rotation != 0;
  bool swap = opts.apply_rotation && (in.rotation == 90 || in.rotation == 270);
  in.width = swap ? par->height : par->width;
  in.height = swap ? par->width : par->height;
  in.color_space = or_unknown(av_color_space_name(par->color_space));
  in.color_range = or_unknown(av_color_range_name(par->color_range));
  AVRational hdr = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  in.header_fps = hdr.num > 0 && hdr.den > 0 ? av_q2d(hdr) : 0;
  in.header_frame_count = st->nb_frames;

  AVFormatContext* fmt = dmx.format();
  int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (a >= 0) {
    const AVCodecParameters* ap = fmt->streams[a]->codecpar;
    in.has_audio = true;
    in.audio_sample_rate = ap->sample_rate;
    in.audio_channels = codecpar_channels(ap);
    in.audio_codec = or_unknown(avcodec_get_name(ap->codec_id));
  }

  AVRational guess = av_guess_frame_rate(fmt, const_cast<AVStream*>(st), nullptr);
  double guessed_fps = guess.num > 0 && guess.den > 0 ? av_q2d(guess) : in.header_fps;
  if (opts_.exact) {
    auto idx = std::make_shared<FrameIndex>(FrameIndex::build(dmx));
    in.frame_count = idx->frame_count();
    in.frame_count_exact = true;
    in.keyframe_count = static_cast<int64_t>(idx->key_display.size());
    in.fps = idx->fps() > 0 ? idx->fps() : (guessed_fps > 0 ? guessed_fps : 0);
    in.duration = idx->fps() > 0 ? idx->duration() : (in.fps > 0 ? in.frame_count / in.fps : 0);
    in.start_time = idx->start_time();
    index_ = std::move(idx);
  } else {
    in.fps = guessed_fps;
    double dur = st->duration != AV_NOPTS_VALUE ? st->duration * av_q2d(st->time_base)
                 : fmt->duration != AV_NOPTS_VALUE ? fmt->duration / static_cast<double>(AV_TIME_BASE)
                                                   : 0;
    in.duration = dur;
    in.frame_count = st->nb_frames > 0 ? st->nb_frames
                                       : static_cast<int64_t>(std::llround(dur * in.fps));
    in.frame_count_exact = false;
    in.start_time = st->start_time != AV_NOPTS_VALUE ? st->start_time * av_q2d(st->time_base)
                    : fmt->start_time != AV_NOPTS_VALUE ? fmt->start_time / static_cast<double>(AV_TIME_BASE)
                                                        : 0;
  }
}

std::unique_ptr<DecodeSession> VideoSource::new_session(bool keyframes_only, int threads) const {
  return std::make_unique<DecodeSession>(input_, index_, threads < 0 ? opts_.threads : threads,
                                         keyframes_only, info_.fps);
}

}  // namespace vxfast
