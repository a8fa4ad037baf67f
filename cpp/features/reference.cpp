// The whole feature vector from the per-feature references (VXFAST_SIMD=scalar, and the tests'
// yardstick for every SIMD level).
#include "features/feature_set.h"

namespace vxfast::features {

FeatureVector compute_reference(const LumaView& v) {
  FeatureVector f{};
  f[0] = laplacian_var_ref(v);
  sobel_ref(v, &f[1], &f[2]);
  f[3] = brenner_ref(v);
  f[4] = noise_residual_ref(v);
  dct_bands_ref(v, &f[5]);
  f[10] = blockiness_ref(v);
  return f;
}

}  // namespace vxfast::features
