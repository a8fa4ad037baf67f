#include "features/feature_writer.h"

#include <cstring>

namespace vxfast::features {

FeatureWriter::FeatureWriter(int width, int height, int rotation, SimdLevel level, int threads)
    : w_(width), h_(height), rotation_(rotation), level_(level), threads_(threads),
      convert_(PixelFormat::YUV420P, width, height, rotation) {}

void FeatureWriter::write(const AVFrame* src, uint8_t* dst) {
  const auto f = static_cast<AVPixelFormat>(src->format);
  LumaView v;
  // Same condition under which PixelConverter copies the Y plane byte for byte: read it in place.
  if (rotation_ == 0 && src->width == w_ && src->height == h_ && src->linesize[0] >= w_ &&
      (f == AV_PIX_FMT_YUV420P || f == AV_PIX_FMT_YUVJ420P)) {
    v = {src->data[0], h_, w_, src->linesize[0]};
  } else {
    scratch_.resize(convert_.bytes());
    convert_.write(src, scratch_.data());
    v = {scratch_.data(), convert_.out_height(), convert_.out_width(), convert_.out_width()};
  }
  const FeatureVector fv = compute(v, level_, threads_);
  std::memcpy(dst, fv.data(), sizeof(double) * kNumFeatures);
}

QualityRun quality(std::shared_ptr<VideoSource> src, const std::string& sample, SimdLevel level,
                   int threads, double start, double end) {
  const SampleSpec spec = SampleSpec::parse(sample, start, end);
  const VideoInfo& in = src->info();
  auto writer = std::make_shared<FeatureWriter>(in.coded_width, in.coded_height, src->rotation_to_apply(),
                                                level, threads);
  FrameSampler sampler(src, spec, writer);
  QualityRun run;
  FrameMeta meta;
  double row[kNumFeatures];
  while (sampler.next(reinterpret_cast<uint8_t*>(row), meta)) {
    // A repeat (fps above the native rate) leaves `row` as the previous frame's values.
    run.index.push_back(meta.index);
    run.pts.push_back(meta.pts);
    run.values.insert(run.values.end(), row, row + kNumFeatures);
  }
  run.stats = sampler.stats();
  return run;
}

}  // namespace vxfast::features
