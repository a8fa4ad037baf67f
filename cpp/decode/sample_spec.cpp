#include "decode/sample_spec.h"

#include <cmath>
#include <stdexcept>

namespace vxfast {

namespace {
double parse_number(const std::string& text, const std::string& arg) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(arg, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != arg.size() || !std::isfinite(v)) {
    throw std::invalid_argument("sample=\"" + text + "\": '" + arg + "' is not a number");
  }
  return v;
}
}  // namespace

SampleSpec SampleSpec::parse(const std::string& text, double start, double end) {
  SampleSpec s;
  s.start = start;
  s.end = end;
  if (start >= 0 && end >= 0 && end <= start) {
    throw std::invalid_argument("end=" + std::to_string(end) + " must be greater than start=" +
                                std::to_string(start));
  }
  auto colon = text.find(':');
  std::string head = text.substr(0, colon), arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  const char* usage = " (expected \"all\", \"keyframes\", \"every:N\", \"fps:X\" or \"uniform:N\")";
  if (head == "all" && colon == std::string::npos) { s.kind = Kind::All; return s; }
  if (head == "keyframes" && colon == std::string::npos) { s.kind = Kind::Keyframes; return s; }
  if (colon == std::string::npos || arg.empty()) {
    throw std::invalid_argument("sample=\"" + text + "\" is not a sampling mode" + usage);
  }
  double v = parse_number(text, arg);
  if (head == "every" || head == "uniform") {
    if (v < 1 || v != std::floor(v)) {
      throw std::invalid_argument("sample=\"" + text + "\": N must be a positive integer");
    }
    s.kind = head == "every" ? Kind::Every : Kind::Uniform;
  } else if (head == "fps") {
    if (v <= 0) throw std::invalid_argument("sample=\"" + text + "\": fps must be > 0");
    s.kind = Kind::Fps;
  } else {
    throw std::invalid_argument("sample=\"" + text + "\" is not a sampling mode" + usage);
  }
  s.value = v;
  return s;
}

std::vector<int64_t> plan_targets(const SampleSpec& s, const FrameIndex& idx) {
  int64_t n = idx.frame_count();
  int64_t i0 = s.start >= 0 ? idx.first_at_or_after(s.start) : 0;
  int64_t i1 = s.end >= 0 ? idx.first_at_or_after(s.end) : n;
  std::vector<int64_t> out;
  if (i0 >= i1) return out;
  switch (s.kind) {
    case SampleSpec::Kind::All:
    case SampleSpec::Kind::Keyframes:  // keyframes are streamed, never planned; kept for completeness
      for (int64_t i = i0; i < i1; ++i) out.push_back(i);
      break;
    case SampleSpec::Kind::Every: {
      int64_t step = static_cast<int64_t>(s.value);
      for (int64_t i = i0; i < i1; i += step) out.push_back(i);
      break;
    }
    case SampleSpec::Kind::Fps: {
      // The grid starts on the first frame in range, so every sample has start <= pts < end.
      double t0 = idx.pts_sec[static_cast<size_t>(i0)];
      double t_end = s.end >= 0 ? std::min(s.end, idx.end_time()) : idx.end_time();
      for (int64_t k = 0;; ++k) {
        double t = t0 + static_cast<double>(k) / s.value;
        if (t >= t_end - 1e-9) break;
        out.push_back(idx.shown_at(t));
      }
      break;
    }
    case SampleSpec::Kind::Uniform: {
      int64_t count = static_cast<int64_t>(s.value), m = i1 - i0;
      for (int64_t j = 0; j < count; ++j) {
        double pos = count == 1 ? 0.0 : static_cast<double>(j) * (m - 1) / (count - 1);
        out.push_back(i0 + static_cast<int64_t>(std::llround(pos)));
      }
      break;
    }
  }
  return out;
}

}  // namespace vxfast
