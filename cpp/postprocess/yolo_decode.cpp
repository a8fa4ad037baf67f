#include "postprocess/yolo_decode.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "postprocess/class_scan.h"
#include "postprocess/nms.h"

namespace vxfast::post {
namespace {

// Candidates in anchor order with decoded xyxy boxes, before NMS.
struct Pool {
  std::vector<int32_t> anchor;
  std::vector<float> score;
  std::vector<int64_t> cls;
  std::vector<float> boxes;
  void add(int32_t a, float s, int64_t c, float x1, float y1, float x2, float y2) {
    anchor.push_back(a);
    score.push_back(s);
    cls.push_back(c);
    boxes.insert(boxes.end(), {x1, y1, x2, y2});
  }
};

bool class_allowed(const std::vector<int64_t>& classes, int64_t c) {
  return classes.empty() || std::find(classes.begin(), classes.end(), c) != classes.end();
}

[[noreturn]] void non_finite(const char* what, int64_t anchor) {
  throw std::invalid_argument("output has a NaN or infinite " + std::string(what) +
                              " (anchor " + std::to_string(anchor) + ")");
}

// Ultralytics xywh2xyxy: half extents added to / subtracted from the centre.
void add_cxcywh(Pool& pool, int32_t a, float s, int64_t c, float cx, float cy, float w, float h) {
  if (!std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(w) || !std::isfinite(h))
    non_finite("box", a);
  const float dw = w / 2, dh = h / 2;
  pool.add(a, s, c, cx - dw, cy - dh, cx + dw, cy + dh);
}

// Argmax over n contiguous scores (first maximum); `finite` cleared on NaN/inf.
inline void best_of(const float* s, int n, float& best, int& arg, bool& finite) {
  best = s[0];
  arg = 0;
  float bad = s[0] * 0.0f;
  for (int c = 1; c < n; ++c) {
    bad += s[c] * 0.0f;
    if (s[c] > best) {
      best = s[c];
      arg = c;
    }
  }
  if (bad != bad) finite = false;
}

}  // namespace

DetectionBuffers decode_yolo(const float* data, int64_t d1, int64_t d2, const YoloParams& p,
                             const LetterboxInverse& lb) {
  Pool pool;
  int64_t extra_dim = 0;
  // Where extra channel e of anchor a lives.
  int64_t extra_base = 0, extra_step_anchor = 0, extra_step_channel = 0;

  switch (p.format) {
    case YoloFormat::ChannelsFirst: {
      const int64_t n = d2;
      extra_dim = d1 - 4 - p.nc;
      Candidates cand;
      if (!scan_class_rows(data + 4 * n, n, p.nc, n, p.conf, cand, p.simd))
        throw std::invalid_argument("output has NaN or infinite class scores");
      for (size_t k = 0; k < cand.anchor.size(); ++k) {
        const int32_t a = cand.anchor[k];
        if (!class_allowed(p.classes, cand.cls[k])) continue;
        add_cxcywh(pool, a, cand.score[k], cand.cls[k], data[a], data[n + a], data[2 * n + a],
                   data[3 * n + a]);
      }
      extra_base = (4 + p.nc) * n;
      extra_step_anchor = 1;
      extra_step_channel = n;
      break;
    }
    case YoloFormat::ChannelsLast: {
      extra_dim = d2 - 4 - p.nc;
      Candidates cand;
      if (!scan_anchor_rows(data + 4, d2, p.nc, d1, p.conf, cand, p.simd))
        throw std::invalid_argument("output has NaN or infinite class scores");
      for (size_t k = 0; k < cand.anchor.size(); ++k) {
        if (!class_allowed(p.classes, cand.cls[k])) continue;
        const float* r = data + static_cast<int64_t>(cand.anchor[k]) * d2;
        add_cxcywh(pool, cand.anchor[k], cand.score[k], cand.cls[k], r[0], r[1], r[2], r[3]);
      }
      extra_base = 4 + p.nc;
      extra_step_anchor = d2;
      extra_step_channel = 1;
      break;
    }
    case YoloFormat::Objectness: {
      extra_dim = d2 - 5 - p.nc;
      std::vector<float> prod(static_cast<size_t>(p.nc));
      bool finite = true;
      for (int64_t a = 0; a < d1; ++a) {
        const float* r = data + a * d2;
        const float obj = r[4];
        if (!std::isfinite(obj)) non_finite("objectness", a);
        if (!(obj > p.conf)) continue;
        // YOLOv5 multiplies class scores by objectness before taking the best class.
        for (int c = 0; c < p.nc; ++c) prod[c] = r[5 + c] * obj;
        float best;
        int arg;
        best_of(prod.data(), p.nc, best, arg, finite);
        if (best > p.conf && class_allowed(p.classes, arg))
          add_cxcywh(pool, static_cast<int32_t>(a), best, arg, r[0], r[1], r[2], r[3]);
      }
      if (!finite) throw std::invalid_argument("output has NaN or infinite class scores");
      extra_base = 5 + p.nc;
      extra_step_anchor = d2;
      extra_step_channel = 1;
      break;
    }
    case YoloFormat::EndToEnd: {
      extra_dim = d2 - 6;
      for (int64_t a = 0; a < d1; ++a) {
        const float* r = data + a * d2;
        if (!std::isfinite(r[4])) non_finite("score", a);
        if (!(r[4] > p.conf)) continue;
        if (!std::isfinite(r[0]) || !std::isfinite(r[1]) || !std::isfinite(r[2]) ||
            !std::isfinite(r[3]) || !std::isfinite(r[5]))
          non_finite("box or class", a);
        const int64_t c = static_cast<int64_t>(std::lround(r[5]));
        if (!class_allowed(p.classes, c)) continue;
        pool.add(static_cast<int32_t>(a), r[4], c, r[0], r[1], r[2], r[3]);
      }
      extra_base = 6;
      extra_step_anchor = d2;
      extra_step_channel = 1;
      break;
    }
  }

  std::vector<int64_t> keep;
  if (p.format == YoloFormat::EndToEnd) {
    // Already suppressed inside the model and sorted by score; only the limit applies.
    const int64_t n = std::min<int64_t>(static_cast<int64_t>(pool.score.size()),
                                        p.max_det < 0 ? INT64_MAX : p.max_det);
    keep.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) keep[i] = i;
  } else {
    keep = nms<float>(pool.boxes.data(), pool.score.data(), p.agnostic ? nullptr : pool.cls.data(),
                      static_cast<int64_t>(pool.score.size()), p.iou, p.max_det, p.simd);
  }

  DetectionBuffers out;
  const size_t n = keep.size();
  out.boxes.resize(4 * n);
  out.scores.resize(n);
  out.cls.resize(n);
  out.extra_dim = extra_dim;
  out.extra.resize(n * static_cast<size_t>(extra_dim));
  const int kd = p.kpt_dim;
  for (size_t i = 0; i < n; ++i) {
    const int64_t k = keep[i];
    float* b = &out.boxes[4 * i];
    std::copy_n(&pool.boxes[4 * k], 4, b);
    lb.box(b);
    out.scores[i] = pool.score[k];
    out.cls[i] = pool.cls[k];
    const int64_t a = pool.anchor[k];
    float* e = out.extra.data() + i * extra_dim;
    for (int64_t c = 0; c < extra_dim; ++c)
      e[c] = data[extra_base + a * extra_step_anchor + c * extra_step_channel];
    if (kd >= 2)
      for (int64_t c = 0; c + kd <= extra_dim; c += kd) lb.point(e + c);
  }
  return out;
}

}  // namespace vxfast::post
