#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "channel_chunks.h"
#include "dispatch.h"

namespace samlab {

namespace {
using channel_chunks::chunked_sums;
using channel_chunks::parallel_rows;

#define SAMLAB_INLINE inline __attribute__((always_inline))

// The loop bodies, compiled twice: for the baseline target and for AVX2+FMA.

SAMLAB_INLINE void moments_body(const float* x, int64_t r0, int64_t r1, int64_t channels, const double* shift, double* s1,
                                double* s2) {
  for (int64_t j = 0; j < channels; ++j) s1[j] = s2[j] = 0.0;
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * channels;
    for (int64_t j = 0; j < channels; ++j) {
      const double d = static_cast<double>(xr[j]) - shift[j];
      s1[j] += d;
      s2[j] += d * d;
    }
  }
}

SAMLAB_INLINE void grad_sums_body(const float* dy, const float* x, int64_t r0, int64_t r1, int64_t channels,
                                  const double* center, double* s1, double* s2) {
  for (int64_t j = 0; j < channels; ++j) s1[j] = s2[j] = 0.0;
  for (int64_t r = r0; r < r1; ++r) {
    const float* dyr = dy + r * channels;
    const float* xr = x + r * channels;
    for (int64_t j = 0; j < channels; ++j) {
      const double g = static_cast<double>(dyr[j]);
      s1[j] += g;
      s2[j] += g * (static_cast<double>(xr[j]) - center[j]);
    }
  }
}

SAMLAB_INLINE void affine_body(const float* x, const float* scale, const float* offset, float* y, int64_t r0, int64_t r1,
                               int64_t channels) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
    for (int64_t j = 0; j < channels; ++j) yr[j] = xr[j] * scale[j] + offset[j];
  }
}

SAMLAB_INLINE void affine_grad_body(const float* dy, const float* x, const float* a, const float* k, const float* c,
                                    float* dx, int64_t r0, int64_t r1, int64_t channels) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* dyr = dy + r * channels;
    const float* xr = x + r * channels;
    float* dxr = dx + r * channels;
    for (int64_t j = 0; j < channels; ++j) dxr[j] = dyr[j] * a[j] - xr[j] * k[j] + c[j];
  }
}

struct Bodies {
  void (*moments)(const float*, int64_t, int64_t, int64_t, const double*, double*, double*);
  void (*grad_sums)(const float*, const float*, int64_t, int64_t, int64_t, const double*, double*, double*);
  void (*affine)(const float*, const float*, const float*, float*, int64_t, int64_t, int64_t);
  void (*affine_grad)(const float*, const float*, const float*, const float*, const float*, float*, int64_t, int64_t,
                      int64_t);
};

#define SAMLAB_BN_BODIES(SUFFIX, ATTR)                                                                                  \
  ATTR void moments_##SUFFIX(const float* x, int64_t r0, int64_t r1, int64_t ch, const double* sh, double* s1,         \
                             double* s2) {                                                                             \
    moments_body(x, r0, r1, ch, sh, s1, s2);                                                                           \
  }                                                                                                                    \
  ATTR void grad_sums_##SUFFIX(const float* dy, const float* x, int64_t r0, int64_t r1, int64_t ch, const double* ce,  \
                               double* s1, double* s2) {                                                               \
    grad_sums_body(dy, x, r0, r1, ch, ce, s1, s2);                                                                     \
  }                                                                                                                    \
  ATTR void affine_##SUFFIX(const float* x, const float* s, const float* o, float* y, int64_t r0, int64_t r1,          \
                            int64_t ch) {                                                                              \
    affine_body(x, s, o, y, r0, r1, ch);                                                                               \
  }                                                                                                                    \
  ATTR void affine_grad_##SUFFIX(const float* dy, const float* x, const float* a, const float* k, const float* c,      \
                                 float* dx, int64_t r0, int64_t r1, int64_t ch) {                                      \
    affine_grad_body(dy, x, a, k, c, dx, r0, r1, ch);                                                                  \
  }

SAMLAB_BN_BODIES(generic, )
#if defined(__x86_64__) || defined(__i386__)
SAMLAB_BN_BODIES(avx2, __attribute__((target("avx2,fma"))))
#endif

const Bodies& bodies() {
  static const Bodies chosen = [] {
#if defined(__x86_64__) || defined(__i386__)
    if (dispatch().simd != Simd::Generic) return Bodies{moments_avx2, grad_sums_avx2, affine_avx2, affine_grad_avx2};
#endif
    return Bodies{moments_generic, grad_sums_generic, affine_generic, affine_grad_generic};
  }();
  return chosen;
}

}  // namespace

void channel_moments(const float* x, int64_t rows, int64_t channels, float* mean, float* variance) {
  if (channels <= 0) return;
  if (rows <= 0) {
    std::fill(mean, mean + channels, std::numeric_limits<float>::quiet_NaN());
    std::fill(variance, variance + channels, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  std::vector<double> shift(static_cast<size_t>(channels));
  for (int64_t j = 0; j < channels; ++j) shift[static_cast<size_t>(j)] = std::isfinite(x[j]) ? x[j] : 0.0;
  std::vector<double> s1, s2;
  const auto fn = bodies().moments;
  chunked_sums(
      rows, channels, [&](int64_t r0, int64_t r1, double* p1, double* p2) { fn(x, r0, r1, channels, shift.data(), p1, p2); },
      s1, s2);
  const double n = static_cast<double>(rows);
  for (int64_t j = 0; j < channels; ++j) {
    const size_t i = static_cast<size_t>(j);
    const double d = s1[i] / n;
    mean[j] = static_cast<float>(shift[i] + d);
    // s2 / n - d^2 >= 0 in exact arithmetic; rounding may take it just below (a constant channel).
    const double v = s2[i] / n - d * d;
    variance[j] = static_cast<float>(v > 0.0 || v != v ? v : 0.0);
  }
}

void channel_affine(const float* x, const float* scale, const float* offset, float* y, int64_t rows, int64_t channels) {
  if (rows <= 0 || channels <= 0) return;
  const auto fn = bodies().affine;
  parallel_rows(rows, channels, [&](int64_t r0, int64_t r1) { fn(x, scale, offset, y, r0, r1, channels); });
}

void channel_grad_sums(const float* dy, const float* x, const float* center, float* sum_dy, float* sum_dyx, int64_t rows,
                       int64_t channels) {
  if (channels <= 0) return;
  std::vector<double> ce(static_cast<size_t>(channels), 0.0);
  if (center != nullptr)
    for (int64_t j = 0; j < channels; ++j) ce[static_cast<size_t>(j)] = center[j];
  std::vector<double> s1(static_cast<size_t>(channels), 0.0), s2(static_cast<size_t>(channels), 0.0);
  if (rows > 0) {
    const auto fn = bodies().grad_sums;
    chunked_sums(
        rows, channels, [&](int64_t r0, int64_t r1, double* p1, double* p2) { fn(dy, x, r0, r1, channels, ce.data(), p1, p2); },
        s1, s2);
  }
  for (int64_t j = 0; j < channels; ++j) {
    sum_dy[j] = static_cast<float>(s1[static_cast<size_t>(j)]);
    sum_dyx[j] = static_cast<float>(s2[static_cast<size_t>(j)]);
  }
}

void channel_affine_grad(const float* dy, const float* x, const float* a, const float* k, const float* c, float* dx,
                         int64_t rows, int64_t channels) {
  if (rows <= 0 || channels <= 0) return;
  const auto fn = bodies().affine_grad;
  parallel_rows(rows, channels, [&](int64_t r0, int64_t r1) { fn(dy, x, a, k, c, dx, r0, r1, channels); });
}

}  // namespace samlab
