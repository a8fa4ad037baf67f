#include "decode/byte_input.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "common/ffmpeg_common.h"

namespace vxfast {

namespace {

int64_t resolve_seek(int64_t pos, int64_t size, int64_t offset, int whence) {
  switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: return offset;
    case SEEK_CUR: return pos + offset;
    case SEEK_END: return size < 0 ? -1 : size + offset;
    default: return -1;
  }
}

class MemoryReader : public ByteReader {
 public:
  MemoryReader(const uint8_t* data, size_t size, std::shared_ptr<void> keep)
      : data_(data), size_(static_cast<int64_t>(size)), keep_(std::move(keep)) {}
  int read(uint8_t* buf, int n) override {
    const int64_t left = size_ - pos_;
    if (left <= 0) return AVERROR_EOF;
    const int k = static_cast<int>(std::min<int64_t>(left, n));
    std::memcpy(buf, data_ + pos_, static_cast<size_t>(k));
    pos_ += k;
    return k;
  }
  int64_t seek(int64_t offset, int whence) override {
    if (whence == AVSEEK_SIZE) return size_;
    const int64_t p = resolve_seek(pos_, size_, offset, whence);
    if (p < 0) return AVERROR(EINVAL);
    pos_ = p;
    return p;
  }
  bool seekable() const override { return true; }
  const InputReadError* failure() const override { return nullptr; }

 private:
  const uint8_t* data_;
  int64_t size_;
  int64_t pos_ = 0;
  std::shared_ptr<void> keep_;
};

class StreamReader : public ByteReader {
 public:
  StreamReader(std::shared_ptr<StreamInput> in, int id) : in_(std::move(in)), id_(id) {}
  int read(uint8_t* buf, int n) override {
    if (err_) return AVERROR(EIO);
    const int k = in_->read_at(pos_, buf, n, id_, err_);
    if (k > 0) pos_ += k;
    return k;
  }
  int64_t seek(int64_t offset, int whence) override {
    if (!in_->seekable()) return AVERROR(ENOSYS);
    if (whence == AVSEEK_SIZE) return in_->size();
    const int64_t p = resolve_seek(pos_, whence == SEEK_END ? in_->size() : -1, offset, whence);
    if (p < 0) return AVERROR(EINVAL);
    pos_ = p;
    return p;
  }
  bool seekable() const override { return in_->seekable(); }
  const InputReadError* failure() const override { return err_.get(); }

 private:
  std::shared_ptr<StreamInput> in_;
  int id_;
  int64_t pos_ = 0;
  std::unique_ptr<InputReadError> err_;
};

}  // namespace

MemoryInput::MemoryInput(const uint8_t* data, size_t size, std::shared_ptr<void> keep, std::string name)
    : ByteInput(std::move(name)), data_(data), size_(size), keep_(std::move(keep)) {}

std::unique_ptr<ByteReader> MemoryInput::open() {
  return std::make_unique<MemoryReader>(data_, size_, keep_);
}

StreamInput::StreamInput(std::unique_ptr<RawStream> raw, std::string name)
    : ByteInput(std::move(name)), raw_(std::move(raw)), seekable_(raw_->seekable()) {}

std::unique_ptr<ByteReader> StreamInput::open() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!seekable_ && !replay_kept_) {
    throw InputReadError(name() + ": the stream is not seekable: it can be read once, front to back "
                         "(no seeking, random access or second pass; pass bytes or a seekable file "
                         "object for that)", nullptr);
  }
  return std::make_unique<StreamReader>(shared_from_this(), opened_++);
}

int64_t StreamInput::size() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!size_known_) {
    size_known_ = true;
    try {
      size_ = raw_->size();
    } catch (...) {
      size_ = -1;
    }
  }
  return size_;
}

int StreamInput::read_at(int64_t pos, uint8_t* buf, int n, int reader_id,
                         std::unique_ptr<InputReadError>& err) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    if (!seekable_) {
      if (replay_kept_ && pos < static_cast<int64_t>(replay_.size())) {
        const int k = static_cast<int>(std::min<int64_t>(n, static_cast<int64_t>(replay_.size()) - pos));
        std::memcpy(buf, replay_.data() + pos, static_cast<size_t>(k));
        return k;
      }
      if (pos != raw_pos_) {
        err = std::make_unique<InputReadError>(
            name() + ": the stream is not seekable and this read needs byte " + std::to_string(pos) +
                " again (it is at " + std::to_string(raw_pos_) + ")", nullptr);
        return AVERROR(ESPIPE);
      }
      // The second reader is the decode pass: once it reads past the replayed probe bytes, no one
      // will need them again.
      if (reader_id > 0 && replay_kept_) {
        replay_kept_ = false;
        std::vector<uint8_t>().swap(replay_);
      }
    } else if (pos != raw_pos_) {
      raw_->seek(pos);
      raw_pos_ = pos;
    }
    const int64_t k = raw_->read(buf, n);
    if (k <= 0) return AVERROR_EOF;
    raw_pos_ += k;
    if (!seekable_ && replay_kept_) replay_.insert(replay_.end(), buf, buf + k);
    return static_cast<int>(k);
  } catch (const std::exception& e) {
    // First line only: Python exceptions append their traceback, which __cause__ keeps anyway.
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    err = std::make_unique<InputReadError>(name() + ": reading the input failed: " + what,
                                           std::current_exception());
  } catch (...) {
    err = std::make_unique<InputReadError>(name() + ": reading the input failed", std::current_exception());
  }
  return AVERROR(EIO);
}

}  // namespace vxfast
