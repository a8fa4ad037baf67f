#pragma once
// Lets the decode area's FrameSampler drive the features: its "frame" is the feature vector of the
// decoded luma plane (kNumFeatures float64), so quality() reuses the sampler's sampling, seeking and
// damage accounting unchanged and never copies the planes.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "decode/frame_writer.h"
#include "decode/pixel_converter.h"
#include "decode/video_reader.h"
#include "features/feature_set.h"

namespace vxfast::features {

class FeatureWriter : public FrameWriter {
 public:
  // width/height: decoded (unrotated) size; rotation: clockwise degrees the reader applies.
  FeatureWriter(int width, int height, int rotation, SimdLevel level, int threads);
  std::vector<ptrdiff_t> shape() const override { return {kNumFeatures}; }
  std::string dtype() const override { return "float64"; }
  size_t bytes() const override { return sizeof(double) * kNumFeatures; }
  void write(const AVFrame* src, uint8_t* dst) override;

 private:
  int w_, h_, rotation_;
  SimdLevel level_;
  int threads_;
  // For frames whose luma is not the decoder's plane as is (other pixel formats, rotation): the
  // yuv420p the reader would have delivered, so the values are the same either way.
  PixelConverter convert_;
  std::vector<uint8_t> scratch_;
};

// Features of every frame VideoReader.frames(sample) would deliver, in one loop without Python.
struct QualityRun {
  std::vector<int64_t> index;
  std::vector<double> pts;
  std::vector<double> values;  // n * kNumFeatures, row-major
  SamplerStats stats;          // for the damage report the reader gives at the end
};
QualityRun quality(std::shared_ptr<VideoSource> src, const std::string& sample, SimdLevel level,
                   int threads, double start = -1,
                   double end = -1);

}  // namespace vxfast::features
