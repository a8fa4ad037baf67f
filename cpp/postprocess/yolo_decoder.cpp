#include "postprocess/yolo_decoder.h"

#include <cstdint>
#include <stdexcept>

namespace vxfast::post {

YoloFormat parse_yolo_format(const std::string& f) {
  if (f == "channels_first") return YoloFormat::ChannelsFirst;
  if (f == "channels_last") return YoloFormat::ChannelsLast;
  if (f == "objectness") return YoloFormat::Objectness;
  if (f == "end2end") return YoloFormat::EndToEnd;
  throw std::invalid_argument("format must be channels_first, channels_last, objectness or end2end, got '" + f + "'");
}

const char* yolo_format_name(YoloFormat f) {
  switch (f) {
    case YoloFormat::ChannelsFirst: return "channels_first";
    case YoloFormat::ChannelsLast: return "channels_last";
    case YoloFormat::Objectness: return "objectness";
    case YoloFormat::EndToEnd: break;
  }
  return "end2end";
}

YoloDecoder::YoloDecoder(YoloParams p) : p_(std::move(p)) {
  if (p_.format != YoloFormat::EndToEnd && p_.nc < 1)
    throw std::invalid_argument("nc must be >= 1, got " + std::to_string(p_.nc));
  if (!(p_.conf >= 0.0f && p_.conf <= 1.0f))
    throw std::invalid_argument("conf must be in [0, 1], got " + std::to_string(p_.conf));
  if (!(p_.iou >= 0.0 && p_.iou <= 1.0))
    throw std::invalid_argument("iou must be in [0, 1], got " + std::to_string(p_.iou));
  if (p_.kpt_dim != 0 && p_.kpt_dim != 2 && p_.kpt_dim != 3)
    throw std::invalid_argument("kpt_dim must be 0, 2 or 3, got " + std::to_string(p_.kpt_dim));
  if (p_.threads < 0)
    throw std::invalid_argument("threads must be >= 0 (0 = auto), got " + std::to_string(p_.threads));
}

void YoloDecoder::check_shape(int64_t batch, int64_t d1, int64_t d2) const {
  const std::string shape = "[" + std::to_string(batch) + ", " + std::to_string(d1) + ", " + std::to_string(d2) + "]";
  const bool cf = p_.format == YoloFormat::ChannelsFirst;
  const int64_t channels = cf ? d1 : d2;
  const int64_t anchors = cf ? d2 : d1;
  const int64_t fixed = p_.format == YoloFormat::Objectness ? 5 : 4;
  if (p_.format != YoloFormat::EndToEnd) {
    if (channels < fixed + p_.nc)
      throw std::invalid_argument("output of shape " + shape + " cannot hold " + std::to_string(p_.nc) +
                                  " classes in format " + yolo_format_name(p_.format));
  } else if (channels < 6) {
    throw std::invalid_argument("end2end output needs >= 6 values per detection, got shape " + shape);
  }
  if (anchors > INT32_MAX) throw std::invalid_argument("too many anchors in output of shape " + shape);
  const int64_t extra = channels - fixed - (p_.format == YoloFormat::EndToEnd ? 2 : p_.nc);
  if (p_.kpt_dim && extra % p_.kpt_dim != 0)
    throw std::invalid_argument("output of shape " + shape + " leaves " + std::to_string(extra) +
                                " extra channels, not a whole number of keypoints of " +
                                std::to_string(p_.kpt_dim));
}

}  // namespace vxfast::post
