// Audio front-ends: type translation only (the presets and argument checks with Python names live
// in python/vxfast/audio/frontends.py).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <complex>
#include <optional>
#include <string>

#include "audio_frontend/batch_fft.h"
#include "audio_frontend/fft.h"
#include "audio_frontend/kernels.h"
#include "audio_frontend/mel_bands.h"
#include "audio_frontend/spectrogram.h"
#include "bindings/bindings.h"

namespace py = pybind11;

namespace vxfast {
namespace {

using namespace audio_frontend;
using F32 = py::array_t<float, py::array::c_style | py::array::forcecast>;

PadMode pad_mode(const std::string& s) {
  if (s == "constant") return PadMode::Zero;
  if (s == "reflect") return PadMode::Reflect;
  if (s == "symmetric") return PadMode::Symmetric;
  if (s == "edge") return PadMode::Edge;
  throw std::invalid_argument("pad_mode must be 'constant', 'reflect', 'symmetric' or 'edge'; got '" + s + "'");
}

simd::Level level_arg(const std::string& simd) {
  simd_checkpoint();
  return simd == "auto" ? simd::level() : simd::parse_runnable(simd, "simd");
}

}  // namespace

void bind_audio_frontend(py::module_& m) {
  m.def(
      "spectrogram",
      [](const F32& x, const F32& window, int n_fft, int hop, int64_t first_start, int64_t n_frames,
         const std::string& pad, int64_t zero_tail, float dither, uint64_t seed, bool remove_dc, float preemphasis, float power,
         const std::optional<F32>& mel, int log_base, float log_mul, float log_floor, float log_offset,
         bool mels_first, const std::string& simd, int threads, float clamp_below_max, int64_t clamp_frames,
         float out_add, float out_mul) {
        if (x.ndim() != 1) throw std::invalid_argument("samples must be 1-D");
        if (window.ndim() != 1) throw std::invalid_argument("window must be 1-D");
        SpectrogramSpec sp;
        sp.n_fft = n_fft;
        sp.frame_length = static_cast<int>(window.shape(0));
        sp.hop = hop;
        sp.first_start = first_start;
        sp.n_frames = n_frames;
        sp.pad = pad_mode(pad);
        sp.zero_tail = zero_tail;
        sp.window.assign(window.data(), window.data() + window.shape(0));
        sp.dither = dither;
        sp.seed = seed;
        sp.remove_dc = remove_dc;
        sp.preemphasis = preemphasis;
        sp.power = power;
        sp.log_base = log_base;
        sp.log_mul = log_mul;
        sp.log_floor = log_floor;
        sp.log_offset = log_offset;
        sp.mels_first = mels_first;
        sp.clamp_below_max = clamp_below_max;
        sp.clamp_frames = clamp_frames;
        sp.out_add = out_add;
        sp.out_mul = out_mul;
        MelBands bands;
        if (mel) {
          if (mel->ndim() != 2) throw std::invalid_argument("mel filterbank must be 2-D (n_mels, n_fft // 2 + 1)");
          bands = MelBands::from_dense(mel->data(), static_cast<int>(mel->shape(0)), static_cast<int>(mel->shape(1)));
        }
        const simd::Level level = level_arg(simd);
        const py::ssize_t n_out = bands.n_mels > 0 ? bands.n_mels : n_fft / 2 + 1;
        if (n_frames < 0) throw std::invalid_argument("n_frames must be >= 0");
        py::array_t<float> out = mels_first ? py::array_t<float>({n_out, static_cast<py::ssize_t>(n_frames)})
                                            : py::array_t<float>({static_cast<py::ssize_t>(n_frames), n_out});
        float* o = out.mutable_data();
        {
          py::gil_scoped_release release;  // x, window and out stay referenced by this frame
          spectrogram(x.data(), x.shape(0), sp, bands, o, level, threads);
        }
        return out;
      },
      py::arg("x"), py::arg("window"), py::arg("n_fft"), py::arg("hop"), py::arg("first_start"), py::arg("n_frames"),
      py::arg("pad") = "constant", py::arg("zero_tail") = 0, py::arg("dither") = 0.0f, py::arg("seed") = 0, py::arg("remove_dc") = false,
      py::arg("preemphasis") = 0.0f, py::arg("power") = 2.0f, py::arg("mel") = py::none(), py::arg("log_base") = 0,
      py::arg("log_mul") = 1.0f, py::arg("log_floor") = 0.0f, py::arg("log_offset") = 0.0f,
      py::arg("mels_first") = false, py::arg("simd") = "auto", py::arg("threads") = 0,
      py::arg("clamp_below_max") = 0.0f, py::arg("clamp_frames") = 0, py::arg("out_add") = 0.0f, py::arg("out_mul") = 1.0f,
      "Frames x (+ zero_tail zeros; window of len(window) samples at first_start + i * hop, outside per pad), "
      "conditions them (dither, remove_dc, preemphasis), windows, FFTs (n_fft), |X|^power, applies the "
      "mel filterbank (dense (n_mels, n_fft//2+1), used as bands) and log_mul * log_b(max(v, floor) + "
      "offset) (log_base 0: none, 1: natural, 10); clamp_below_max > 0 raises values below their block's "
      "(clamp_frames frames; 0: all) maximum less it; then (v + out_add) * out_mul. (n_frames, n_out) "
      "float32, or (n_out, n_frames).");

  m.def("kernel_level", [](const std::string& simd) { return std::string(simd::name(select_kernels(level_arg(simd)).level)); },
        py::arg("simd") = "auto", "The SIMD level the front-end kernels really use for a level.");

  m.def(
      "bands_apply",
      [](const F32& mel, const F32& spec, const std::string& simd) {
        if (mel.ndim() != 2 || spec.ndim() != 2 || spec.shape(1) != mel.shape(1))
          throw std::invalid_argument("mel must be (n_mels, n_bins) and spec (frames, n_bins)");
        MelBands b = MelBands::from_dense(mel.data(), static_cast<int>(mel.shape(0)), static_cast<int>(mel.shape(1)));
        const Kernels k = select_kernels(level_arg(simd));
        py::array_t<float> out({spec.shape(0), mel.shape(0)});
        const BandsView v = view(b);
        for (py::ssize_t f = 0; f < spec.shape(0); ++f) k.bands(v, spec.data(f, 0), out.mutable_data(f, 0));
        return out;
      },
      py::arg("mel"), py::arg("spec"), py::arg("simd") = "auto",
      "The banded mel sums alone (tests: SIMD vs scalar): (frames, n_mels).");

  m.def(
      "power_apply",
      [](const F32& X, const std::string& simd) {
        if (X.ndim() != 1 || X.shape(0) % 2) throw std::invalid_argument("X must be 1-D interleaved (re, im)");
        const Kernels k = select_kernels(level_arg(simd));
        py::array_t<float> out(X.shape(0) / 2);
        k.power(X.data(), static_cast<int>(X.shape(0) / 2), out.mutable_data());
        return out;
      },
      py::arg("X"), py::arg("simd") = "auto", "|X|^2 of interleaved complex values (tests: SIMD vs scalar).");

  m.def(
      "log_apply",
      [](const F32& v, int base, float mul, float floor, float offset, const std::string& simd) {
        if (v.ndim() != 1) throw std::invalid_argument("v must be 1-D");
        if (base != 1 && base != 10) throw std::invalid_argument("base must be 1 (natural) or 10");
        const Kernels k = select_kernels(level_arg(simd));
        py::array_t<float> out(v.shape(0));
        std::copy(v.data(), v.data() + v.shape(0), out.mutable_data());
        const float mx = k.log(out.mutable_data(), static_cast<int>(v.shape(0)), LogParams{base, mul, floor, offset});
        return py::make_tuple(out, mx);
      },
      py::arg("v"), py::arg("base") = 10, py::arg("mul") = 1.0f, py::arg("floor") = 0.0f, py::arg("offset") = 0.0f,
      py::arg("simd") = "auto",
      "The log kernel alone (tests: SIMD vs scalar): (mul * log_base(max(v, floor) + offset), its maximum).");

  m.def(
      "power_batch_apply",
      [](const F32& frames, const std::string& simd) {
        if (frames.ndim() != 2 || frames.shape(0) != kBatch)
          throw std::invalid_argument("frames must be (" + std::to_string(kBatch) + ", n)");
        const int n = static_cast<int>(frames.shape(1));
        if (!BatchFftPlan::supports(n)) throw std::invalid_argument("n must be even with n/2 = 2^a 3^b 5^c >= 2");
        const BatchFftPlan plan(n);
        const Kernels k = select_kernels(level_arg(simd));
        std::vector<float> work(4 * static_cast<size_t>(n / 2) * kBatch);
        py::array_t<float> out({static_cast<py::ssize_t>(n / 2 + 1), static_cast<py::ssize_t>(kBatch)});
        k.power_batch(plan.view(), frames.data(), n, nullptr, n, work.data(), out.mutable_data());
        return out;
      },
      py::arg("frames"), py::arg("simd") = "auto",
      "The batched FFT's power spectra of 16 frames (tests: SIMD vs scalar vs numpy): (n/2 + 1, 16).");

  m.def(
      "bands_batch_apply",
      [](const F32& mel, const F32& pw, const std::string& simd) {
        if (mel.ndim() != 2 || pw.ndim() != 2 || pw.shape(1) != kBatch || pw.shape(0) != mel.shape(1))
          throw std::invalid_argument("mel must be (n_mels, n_bins) and pw (n_bins, 16)");
        MelBands b = MelBands::from_dense(mel.data(), static_cast<int>(mel.shape(0)), static_cast<int>(mel.shape(1)));
        const Kernels k = select_kernels(level_arg(simd));
        py::array_t<float> out({mel.shape(0), static_cast<py::ssize_t>(kBatch)});
        k.bands_batch(view(b), pw.data(), out.mutable_data());
        return out;
      },
      py::arg("mel"), py::arg("pw"), py::arg("simd") = "auto",
      "The batched banded mel sums of 16 spectra (tests): (n_mels, 16).");

  m.def(
      "rfft",
      [](const F32& x) {
        if (x.ndim() != 1) throw std::invalid_argument("x must be 1-D");
        const int n = static_cast<int>(x.shape(0));
        RealFft fft(n);
        AlignedFloats in = aligned_floats(n), out = aligned_floats(n + 2);
        std::copy(x.data(), x.data() + n, in.get());
        fft.forward(in.get(), out.get());
        py::array_t<std::complex<float>> r(n / 2 + 1);
        std::copy(out.get(), out.get() + n + 2, reinterpret_cast<float*>(r.mutable_data()));
        return r;
      },
      py::arg("x"), "The front-ends' real FFT of x (even length): n/2 + 1 complex64 bins (tests).");

  m.def(
      "reference_rfft",
      [](const F32& x) {
        if (x.ndim() != 1) throw std::invalid_argument("x must be 1-D");
        auto X = reference_dft(x.data(), static_cast<int>(x.shape(0)));
        return py::array_t<std::complex<double>>(static_cast<py::ssize_t>(X.size()), X.data());
      },
      py::arg("x"), "The scalar double-precision DFT oracle (bins 0..n/2).");
}

}  // namespace vxfast
