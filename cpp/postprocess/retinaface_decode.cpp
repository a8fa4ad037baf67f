#include "postprocess/retinaface_decode.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "postprocess/nms.h"

namespace vxfast::post {
namespace {

struct Prior {
  float cx, cy, w, h;  // normalised to the input size, float32 like the reference's prior tensor
};

struct Level {
  int64_t offset, fh, fw, per_cell, step;
  const std::vector<int>* sizes;
};

std::vector<Level> levels(const RetinaFaceParams& p) {
  if (p.steps.size() != p.min_sizes.size())
    throw std::invalid_argument("steps and min_sizes must have the same length");
  std::vector<Level> out;
  int64_t offset = 0;
  for (size_t k = 0; k < p.steps.size(); ++k) {
    const int64_t s = p.steps[k];
    Level lv{offset, (p.input_height + s - 1) / s, (p.input_width + s - 1) / s,
             static_cast<int64_t>(p.min_sizes[k].size()), s, &p.min_sizes[k]};
    offset += lv.fh * lv.fw * lv.per_cell;
    out.push_back(lv);
  }
  return out;
}

Prior prior_of(const std::vector<Level>& lvs, int64_t a, const RetinaFaceParams& p) {
  size_t k = 0;
  while (k + 1 < lvs.size() && a >= lvs[k + 1].offset) ++k;
  const Level& lv = lvs[k];
  const int64_t r = a - lv.offset;
  const int64_t cell = r / lv.per_cell, m = r % lv.per_cell;
  const int64_t i = cell / lv.fw, j = cell % lv.fw;
  // The reference builds priors in Python doubles and stores them as float32.
  const double ms = (*lv.sizes)[m];
  return {static_cast<float>((j + 0.5) * lv.step / p.input_width),
          static_cast<float>((i + 0.5) * lv.step / p.input_height),
          static_cast<float>(ms / p.input_width), static_cast<float>(ms / p.input_height)};
}

}  // namespace

bool retinaface_scores_are_logits(const float* data, int64_t n, int64_t row) {
  for (int64_t a = 0; a < n; ++a) {
    const float b = data[a * row + 4], f = data[a * row + 5];
    if (!(b >= 0 && b <= 1 && f >= 0 && f <= 1 && std::fabs(b + f - 1) <= 1e-3f)) return true;
  }
  return false;
}

int64_t retinaface_prior_count(const RetinaFaceParams& p) {
  int64_t n = 0;
  for (const Level& lv : levels(p)) n += lv.fh * lv.fw * lv.per_cell;
  return n;
}

DetectionBuffers decode_retinaface(const float* data, int64_t n, int64_t row, const RetinaFaceParams& p,
                                   const LetterboxInverse& lb) {
  const std::vector<Level> lvs = levels(p);
  const float v0 = p.variance_center, v1 = p.variance_size;
  const float W = static_cast<float>(p.input_width), H = static_cast<float>(p.input_height);
  std::vector<int64_t> anchor;
  std::vector<float> boxes, scores, landmarks;
  const bool logits = p.scores == ScoreMode::Logits ||
                      (p.scores == ScoreMode::Auto && retinaface_scores_are_logits(data, n, row));
  for (int64_t a = 0; a < n; ++a) {
    const float* r = data + a * row;
    if (!std::isfinite(r[4]) || !std::isfinite(r[5]))
      throw std::invalid_argument("output has a NaN or infinite face score (prior " +
                                  std::to_string(a) + ")");
    float s = r[5];
    if (logits) {  // softmax over (background, face), max-subtracted like torch's
      const float m = std::max(r[4], r[5]);
      const float e0 = std::exp(r[4] - m), e1 = std::exp(r[5] - m);
      s = e1 / (e0 + e1);
    }
    if (!(s > p.conf)) continue;
    const Prior pr = prior_of(lvs, a, p);
    const float cx = pr.cx + r[0] * v0 * pr.w;
    const float cy = pr.cy + r[1] * v0 * pr.h;
    const float w = pr.w * std::exp(r[2] * v1);
    const float h = pr.h * std::exp(r[3] * v1);
    const float x1 = cx - w / 2, y1 = cy - h / 2;
    const float b[4] = {x1 * W, y1 * H, (w + x1) * W, (h + y1) * H};
    for (float v : b)
      if (!std::isfinite(v))
        throw std::invalid_argument("output has a NaN or infinite box delta (prior " +
                                    std::to_string(a) + ")");
    anchor.push_back(a);
    scores.push_back(s);
    boxes.insert(boxes.end(), b, b + 4);
    for (int l = 0; l < 5; ++l) {
      landmarks.push_back((pr.cx + r[6 + 2 * l] * v0 * pr.w) * W);
      landmarks.push_back((pr.cy + r[7 + 2 * l] * v0 * pr.h) * H);
    }
  }
  const std::vector<int64_t> keep = nms<float>(boxes.data(), scores.data(), nullptr,
                                               static_cast<int64_t>(scores.size()), p.iou, p.max_det);
  DetectionBuffers out;
  out.extra_dim = 10;
  out.boxes.resize(4 * keep.size());
  out.scores.resize(keep.size());
  out.cls.assign(keep.size(), 0);
  out.extra.resize(10 * keep.size());
  for (size_t i = 0; i < keep.size(); ++i) {
    const int64_t k = keep[i];
    std::copy_n(&boxes[4 * k], 4, &out.boxes[4 * i]);
    lb.box(&out.boxes[4 * i]);
    out.scores[i] = scores[k];
    std::copy_n(&landmarks[10 * k], 10, &out.extra[10 * i]);
    for (int l = 0; l < 5; ++l) lb.point(&out.extra[10 * i + 2 * l]);
  }
  return out;
}

}  // namespace vxfast::post
