#pragma once
// In-memory and stream input for the demuxer: FFmpeg reads these through a custom AVIO context
// (Demuxer), so a video in a bytes object, a memoryview or a Python file-like decodes exactly like
// the same bytes in a file.
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/errors.h"

namespace vxfast {

// Reading the input itself failed (a file-like object raised, a stream cannot go back). `cause`
// holds the original exception when there is one (the bindings chain it as __cause__).
struct InputReadError : VideoError {
  InputReadError(const std::string& msg, std::exception_ptr c) : VideoError(msg), cause(std::move(c)) {}
  std::exception_ptr cause;
};

// One reading position over a ByteInput; each Demuxer owns one. Not thread-safe itself.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Up to n bytes into buf: the count, AVERROR_EOF at the end, or another AVERROR on failure
  // (then failure() says why).
  virtual int read(uint8_t* buf, int n) = 0;
  // AVIO seek semantics: whence SEEK_SET/SEEK_CUR/SEEK_END or AVSEEK_SIZE; new position or < 0.
  virtual int64_t seek(int64_t offset, int whence) = 0;
  virtual bool seekable() const = 0;
  // Set once a read failed for another reason than the end of the input.
  virtual const InputReadError* failure() const = 0;
};

// Bytes a demuxer can read: several readers may be open at once (the index pass, iterators,
// random access each have their own). Thread-safe.
class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // A new reader at position 0. Throws InputReadError when the input cannot be read from the start
  // again (a non-seekable stream already consumed).
  virtual std::unique_ptr<ByteReader> open() = 0;
  virtual bool seekable() const = 0;
  const std::string& name() const { return name_; }

 protected:
  explicit ByteInput(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// A block of memory (a bytes object's buffer, a memoryview) read with memcpy only. `keep` owns
// whatever keeps `data` alive (released when the last reader and the input are gone).
class MemoryInput : public ByteInput {
 public:
  MemoryInput(const uint8_t* data, size_t size, std::shared_ptr<void> keep, std::string name);
  std::unique_ptr<ByteReader> open() override;
  bool seekable() const override { return true; }

 private:
  const uint8_t* data_;
  size_t size_;
  std::shared_ptr<void> keep_;
};

// A sequential byte source with an optional seek (the bindings wrap a Python file-like object).
// Calls are serialised by StreamInput. read/seek report failure by throwing (any exception; its
// what() becomes the message and the exception itself the cause).
class RawStream {
 public:
  virtual ~RawStream() = default;
  virtual int64_t read(uint8_t* buf, int64_t n) = 0;  // bytes read; 0 at the end
  virtual bool seekable() const = 0;
  virtual void seek(int64_t pos) = 0;                 // absolute position
  virtual int64_t size() = 0;                         // total bytes, -1 when unknown
};

// Shares one RawStream among readers. Seekable: each reader keeps its own position and the stream
// is repositioned before a read when another reader moved it. Not seekable: the bytes read by the
// first reader (the probe at open) are kept and replayed to the second (the first decode pass),
// then dropped; a further pass from the start fails with a clear InputReadError.
class StreamInput : public ByteInput, public std::enable_shared_from_this<StreamInput> {
 public:
  StreamInput(std::unique_ptr<RawStream> raw, std::string name);
  std::unique_ptr<ByteReader> open() override;
  bool seekable() const override { return seekable_; }

  // Used by StreamInput's readers (mutex held inside).
  int read_at(int64_t pos, uint8_t* buf, int n, int reader_id, std::unique_ptr<InputReadError>& err);
  int64_t size();

 private:
  std::mutex mu_;
  std::unique_ptr<RawStream> raw_;
  bool seekable_;
  int64_t raw_pos_ = 0;
  int opened_ = 0;
  std::vector<uint8_t> replay_;  // non-seekable: bytes [0, replay_.size()) while replay is possible
  bool replay_kept_ = true;
  bool size_known_ = false;
  int64_t size_ = -1;
};

}  // namespace vxfast
