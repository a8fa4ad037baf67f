#include "bindings/media_input.h"

#include <cstring>
#include <string>

#include "common/errors.h"

namespace py = pybind11;

namespace vxfast {

namespace {

// Owns a Py_buffer export of a bytes-like object; released with the GIL from whichever thread
// drops the last reader.
struct BufferHold {
  Py_buffer view{};
  ~BufferHold() {
    if (!Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    PyBuffer_Release(&view);
  }
};

class PyRawStream : public RawStream {
 public:
  explicit PyRawStream(py::handle f) : f_(py::reinterpret_borrow<py::object>(f)) {
    read_ = f_.attr("read");
    if (py::hasattr(f_, "readinto")) readinto_ = f_.attr("readinto");
    bool can_seek = py::hasattr(f_, "seek") && py::hasattr(f_, "tell");
    if (can_seek && py::hasattr(f_, "seekable")) can_seek = f_.attr("seekable")().cast<bool>();
    if (can_seek) {
      try {
        base_ = f_.attr("tell")().cast<int64_t>();
      } catch (py::error_already_set&) {
        can_seek = false;  // io.UnsupportedOperation and friends: treat as a plain stream
      }
    }
    seekable_ = can_seek;
  }
  ~PyRawStream() override {
    if (!Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    read_ = py::object();
    readinto_ = py::object();
    f_ = py::object();
  }

  int64_t read(uint8_t* buf, int64_t n) override {
    py::gil_scoped_acquire gil;
    if (readinto_) {
      py::object mv = py::reinterpret_steal<py::object>(
          PyMemoryView_FromMemory(reinterpret_cast<char*>(buf), static_cast<Py_ssize_t>(n), PyBUF_WRITE));
      if (!mv) throw py::error_already_set();
      py::object r = readinto_(mv);
      mv.attr("release")();
      if (r.is_none()) throw std::runtime_error("readinto() returned None (non-blocking stream without data)");
      const int64_t k = r.cast<int64_t>();
      if (k < 0 || k > n) throw std::runtime_error("readinto() returned " + std::to_string(k));
      return k;
    }
    py::object r = read_(n);
    if (r.is_none()) throw std::runtime_error("read() returned None (non-blocking stream without data)");
    py::buffer_info bi = py::reinterpret_borrow<py::buffer>(r).request();
    const int64_t k = static_cast<int64_t>(bi.size * bi.itemsize);
    if (k > n) throw std::runtime_error("read(" + std::to_string(n) + ") returned " + std::to_string(k) + " bytes");
    std::memcpy(buf, bi.ptr, static_cast<size_t>(k));
    return k;
  }
  bool seekable() const override { return seekable_; }
  void seek(int64_t pos) override {
    py::gil_scoped_acquire gil;
    f_.attr("seek")(base_ + pos, 0);
  }
  int64_t size() override {
    py::gil_scoped_acquire gil;
    py::object cur = f_.attr("tell")();
    int64_t end = f_.attr("seek")(0, 2).cast<int64_t>();
    f_.attr("seek")(cur, 0);
    return end - base_;
  }

 private:
  py::object f_, read_, readinto_;
  bool seekable_ = false;
  int64_t base_ = 0;
};

std::string type_name(py::handle o) { return py::str(py::type::handle_of(o).attr("__name__")).cast<std::string>(); }

}  // namespace

MediaInput media_input_from_python(py::handle src, const char* arg) {
  if (py::isinstance<py::str>(src)) return MediaInput::from_path(src.cast<std::string>());
  if (PyObject_CheckBuffer(src.ptr())) {
    auto hold = std::make_shared<BufferHold>();
    if (PyObject_GetBuffer(src.ptr(), &hold->view, PyBUF_SIMPLE) != 0) {
      PyErr_Clear();
      throw py::value_error(std::string(arg) + ": a " + type_name(src) +
                            " must be C-contiguous bytes to be read as a video");
    }
    const auto* data = static_cast<const uint8_t*>(hold->view.buf);
    const size_t size = static_cast<size_t>(hold->view.len);
    if (size == 0) throw VideoError("<" + type_name(src) + ">: input is empty (0 bytes)");
    return MediaInput{"", std::make_shared<MemoryInput>(data, size, hold, "<" + type_name(src) + ">")};
  }
  if (py::hasattr(src, "read")) {
    std::string name = "<" + type_name(src) + ">";
    return MediaInput{"", std::make_shared<StreamInput>(std::make_unique<PyRawStream>(src), name)};
  }
  throw py::type_error(std::string(arg) + " must be a path or URL (str), bytes-like data or a binary "
                       "file-like object with read(), not " + type_name(src));
}

void register_input_error_translator() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputReadError& e) {
      py::object video_error = py::module_::import("vxfast._core").attr("VideoError");
      if (e.cause) {
        try {
          std::rethrow_exception(e.cause);
        } catch (py::error_already_set& pe) {
          py::raise_from(pe, video_error.ptr(), e.what());
          return;
        } catch (...) {
        }
      }
      PyErr_SetString(video_error.ptr(), e.what());
    }
  });
}

}  // namespace vxfast
