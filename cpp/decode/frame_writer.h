#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/frame.h>
}

namespace vxfast {

// Turns a decoded AVFrame into the bytes of one output frame (pixels in some format, or a model
// tensor). The output size is fixed at construction so callers can preallocate and reuse buffers.
class FrameWriter {
 public:
  virtual ~FrameWriter() = default;
  virtual std::vector<ptrdiff_t> shape() const = 0;  // numpy shape of one frame
  virtual std::string dtype() const { return "uint8"; }  // numpy dtype name
  virtual size_t bytes() const = 0;
  // Writes exactly bytes() bytes to dst. May be called from any thread, one call at a time.
  virtual void write(const AVFrame* src, uint8_t* dst) = 0;
};

}  // namespace vxfast
