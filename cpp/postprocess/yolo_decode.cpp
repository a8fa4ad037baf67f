#include "postprocess/yolo_decode.h"

#include <algorithm>
#include <exception>
#include <cmath>
#include <stdexcept>
#include <string>

#include "postprocess/class_scan.h"
#include "postprocess/nms.h"
#include "postprocess/task_pool.h"

namespace vxfast::post {
namespace {

// Candidates in anchor order with decoded xyxy boxes, before NMS.
struct Pool {
  std::vector<int32_t> anchor;
  std::vector<float> score;
  std::vector<int64_t> cls;
  std::vector<float> boxes;
  void reserve(size_t n) {
    anchor.reserve(n);
    score.reserve(n);
    cls.reserve(n);
    boxes.reserve(4 * n);
  }
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

// The candidate scan of anchors [a0, a1) of one channels-first or channels-last image; anchors in
// `out` are relative to a0.
bool scan_part(const float* data, int64_t d1, int64_t d2, const YoloParams& p, int64_t a0,
               int64_t a1, Candidates& out) {
  if (p.format == YoloFormat::ChannelsFirst)
    return scan_class_rows(data + 4 * d2 + a0, d2, p.nc, a1 - a0, p.conf, out, p.simd);
  return scan_anchor_rows(data + a0 * d2 + 4, d2, p.nc, a1 - a0, p.conf, out, p.simd);
}

bool has_class_scan(YoloFormat f) {
  return f == YoloFormat::ChannelsFirst || f == YoloFormat::ChannelsLast;
}

// One image's scan results: parts[j] covers anchors from begin[j], in anchor order.
struct ScanParts {
  const Candidates* parts = nullptr;
  const int64_t* begin = nullptr;
  int n = 0;
  bool finite = true;
};

// Everything after the class scan for one image (for objectness / end2end heads, their own scan
// too): box decode, NMS, letterbox inverse, extras.
DetectionBuffers finish_image(const float* data, int64_t d1, int64_t d2, const YoloParams& p,
                              const LetterboxInverse& lb, const ScanParts& scan) {
  Pool pool;
  int64_t extra_dim = 0;
  // Where extra channel e of anchor a lives.
  int64_t extra_base = 0, extra_step_anchor = 0, extra_step_channel = 0;

  switch (p.format) {
    case YoloFormat::ChannelsFirst: {
      const int64_t n = d2;
      extra_dim = d1 - 4 - p.nc;
      if (!scan.finite) throw std::invalid_argument("output has NaN or infinite class scores");
      size_t total = 0;
      for (int j = 0; j < scan.n; ++j) total += scan.parts[j].anchor.size();
      pool.reserve(total);
      for (int j = 0; j < scan.n; ++j) {
        const Candidates& cand = scan.parts[j];
        for (size_t k = 0; k < cand.anchor.size(); ++k) {
          const int32_t a = static_cast<int32_t>(scan.begin[j] + cand.anchor[k]);
          if (!class_allowed(p.classes, cand.cls[k])) continue;
          add_cxcywh(pool, a, cand.score[k], cand.cls[k], data[a], data[n + a], data[2 * n + a],
                     data[3 * n + a]);
        }
      }
      extra_base = (4 + p.nc) * n;
      extra_step_anchor = 1;
      extra_step_channel = n;
      break;
    }
    case YoloFormat::ChannelsLast: {
      extra_dim = d2 - 4 - p.nc;
      if (!scan.finite) throw std::invalid_argument("output has NaN or infinite class scores");
      for (int j = 0; j < scan.n; ++j) {
        const Candidates& cand = scan.parts[j];
        for (size_t k = 0; k < cand.anchor.size(); ++k) {
          if (!class_allowed(p.classes, cand.cls[k])) continue;
          const int32_t a = static_cast<int32_t>(scan.begin[j] + cand.anchor[k]);
          const float* r = data + static_cast<int64_t>(a) * d2;
          add_cxcywh(pool, a, cand.score[k], cand.cls[k], r[0], r[1], r[2], r[3]);
        }
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

// Runs tasks on the shared pool when threads > 1, else in order on this thread (no pool created).
template <class F>
void shared_or_inline(int threads, int n_tasks, F& f) {
  if (threads > 1 && n_tasks > 1) {
    shared_task_pool().run(n_tasks, threads - 1, f);
  } else {
    for (int t = 0; t < n_tasks; ++t) f(t);
  }
}

// Anchors per scan task when split: a multiple of 16 (whole AVX-512 vectors, cache-line aligned
// rows) and several tasks per thread, so a helper that starts late still takes a share.
constexpr int kTasksPerThread = 4;

}  // namespace

DetectionBuffers decode_yolo(const float* data, int64_t d1, int64_t d2, const YoloParams& p,
                             const LetterboxInverse& lb) {
  return std::move(decode_yolo_batch(data, 1, d1, d2, p, {lb})[0]);
}

std::vector<DetectionBuffers> decode_yolo_batch(const float* data, int64_t batch, int64_t d1,
                                                int64_t d2, const YoloParams& p,
                                                const std::vector<LetterboxInverse>& lbs) {
  const size_t B = static_cast<size_t>(batch);
  std::vector<DetectionBuffers> out(B);
  if (B == 0) return out;
  const bool scan = has_class_scan(p.format);
  const int64_t anchors = p.format == YoloFormat::ChannelsFirst ? d2 : d1;
  const int threads =
      resolve_threads(p.threads, batch * (scan ? int64_t(p.nc) * anchors : d1 * d2) * 4);

  // Stage 1: the class scan, split into parts of `len` anchors over all images.
  int64_t len = std::max<int64_t>(anchors, 1);
  if (scan && threads > 1) {
    const int64_t parts = std::max<int64_t>(1, (threads * kTasksPerThread + batch - 1) / batch);
    len = std::max<int64_t>(16, ((anchors + parts - 1) / parts + 15) / 16 * 16);
  }
  const int per_image = scan ? static_cast<int>((anchors + len - 1) / len) : 0;
  std::vector<Candidates> cands(B * per_image);
  std::vector<int64_t> begins(per_image);
  for (int j = 0; j < per_image; ++j) begins[j] = j * len;
  std::vector<char> finite(B * per_image, 1);
  auto scan_task = [&](int t) {
    const int64_t b = t / per_image, j = t % per_image;
    // Filled on this thread's stack and moved in at the end: neighbouring Candidates share cache
    // lines, and pushing into them from two cores made every push_back a cross-core miss (auto
    // threads went from faster to 20% slower than one thread at conf 0.001).
    Candidates local;
    const bool ok = scan_part(data + b * d1 * d2, d1, d2, p, begins[j],
                              std::min(anchors, begins[j] + len), local);
    cands[t] = std::move(local);
    finite[t] = ok;
  };
  if (scan) shared_or_inline(threads, static_cast<int>(B) * per_image, scan_task);

  // Stage 2: the rest, one task per image. The first failing image's exception is the one raised.
  std::vector<std::exception_ptr> errors(B);
  auto finish_task = [&](int b) {
    try {
      ScanParts sp;
      if (scan) {
        sp.parts = cands.data() + b * per_image;
        sp.begin = begins.data();
        sp.n = per_image;
        for (int j = 0; j < per_image; ++j) sp.finite &= finite[b * per_image + j] != 0;
      }
      out[b] = finish_image(data + b * d1 * d2, d1, d2, p, lbs[b], sp);
    } catch (...) {
      errors[b] = std::current_exception();
    }
  };
  shared_or_inline(threads, static_cast<int>(B), finish_task);
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace vxfast::post
