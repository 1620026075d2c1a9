#include "batch_norm_relu.h"

#include <vector>

#include "channel_chunks.h"
#include "dispatch.h"

namespace samlab {

namespace {
using channel_chunks::chunked_sums;
using channel_chunks::parallel_rows;

#define SAMLAB_INLINE inline __attribute__((always_inline))

// The loop bodies, compiled twice: for the baseline target and for AVX2+FMA. Within one target
// the forward pass and the masks compute v = x * scale + offset by the same expression (so the
// same contraction into an FMA, or none): the mask is step(v) of the very v the forward pass
// rectified. Flat selects, no branches (a ReLU output is zero about half the time).

SAMLAB_INLINE float affine_value(float x, float scale, float offset) { return x * scale + offset; }

SAMLAB_INLINE float relu(float v) { return v < 0.f ? 0.f : v; }

SAMLAB_INLINE float masked(float dy, float v) {
  const float step = v > 0.f ? 1.f : 0.f;
  return dy * (v != v ? v : step);
}

SAMLAB_INLINE void affine_relu_body(const float* __restrict x, const float* __restrict scale,
                                    const float* __restrict offset, float* __restrict y, int64_t r0, int64_t r1,
                                    int64_t channels) {
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t at = r * channels;
    for (int64_t j = 0; j < channels; ++j) y[at + j] = relu(affine_value(x[at + j], scale[j], offset[j]));
  }
}

SAMLAB_INLINE void affine_add_relu_body(const float* __restrict x, const float* __restrict scale,
                                        const float* __restrict offset, const float* __restrict residual,
                                        float* __restrict y, int64_t r0, int64_t r1, int64_t channels) {
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t at = r * channels;
    for (int64_t j = 0; j < channels; ++j)
      y[at + j] = relu(affine_value(x[at + j], scale[j], offset[j]) + residual[at + j]);
  }
}

SAMLAB_INLINE void relu_grad_sums_body(const float* __restrict dy, const float* __restrict x,
                                       const float* __restrict scale, const float* __restrict offset,
                                       const double* __restrict center, int64_t r0, int64_t r1, int64_t channels,
                                       double* __restrict s1, double* __restrict s2) {
  for (int64_t j = 0; j < channels; ++j) s1[j] = s2[j] = 0.0;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t at = r * channels;
    for (int64_t j = 0; j < channels; ++j) {
      const float xv = x[at + j];
      const double g = static_cast<double>(masked(dy[at + j], affine_value(xv, scale[j], offset[j])));
      s1[j] += g;
      s2[j] += g * (static_cast<double>(xv) - center[j]);
    }
  }
}

SAMLAB_INLINE void relu_affine_grad_body(const float* __restrict dy, const float* __restrict x,
                                         const float* __restrict scale, const float* __restrict offset,
                                         const float* __restrict a, const float* __restrict k,
                                         const float* __restrict c, float* __restrict dx, int64_t r0, int64_t r1,
                                         int64_t channels) {
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t at = r * channels;
    for (int64_t j = 0; j < channels; ++j) {
      const float xv = x[at + j];
      const float g = masked(dy[at + j], affine_value(xv, scale[j], offset[j]));
      dx[at + j] = g * a[j] - xv * k[j] + c[j];
    }
  }
}

struct Bodies {
  void (*affine_relu)(const float*, const float*, const float*, float*, int64_t, int64_t, int64_t);
  void (*affine_add_relu)(const float*, const float*, const float*, const float*, float*, int64_t, int64_t, int64_t);
  void (*relu_grad_sums)(const float*, const float*, const float*, const float*, const double*, int64_t, int64_t,
                         int64_t, double*, double*);
  void (*relu_affine_grad)(const float*, const float*, const float*, const float*, const float*, const float*,
                           const float*, float*, int64_t, int64_t, int64_t);
};

#define SAMLAB_BN_RELU_BODIES(SUFFIX, ATTR)                                                                              \
  ATTR void affine_relu_##SUFFIX(const float* x, const float* s, const float* o, float* y, int64_t r0, int64_t r1,      \
                                 int64_t ch) {                                                                          \
    affine_relu_body(x, s, o, y, r0, r1, ch);                                                                           \
  }                                                                                                                     \
  ATTR void affine_add_relu_##SUFFIX(const float* x, const float* s, const float* o, const float* res, float* y,        \
                                     int64_t r0, int64_t r1, int64_t ch) {                                              \
    affine_add_relu_body(x, s, o, res, y, r0, r1, ch);                                                                  \
  }                                                                                                                     \
  ATTR void relu_grad_sums_##SUFFIX(const float* dy, const float* x, const float* s, const float* o, const double* ce,  \
                                    int64_t r0, int64_t r1, int64_t ch, double* s1, double* s2) {                       \
    relu_grad_sums_body(dy, x, s, o, ce, r0, r1, ch, s1, s2);                                                           \
  }                                                                                                                     \
  ATTR void relu_affine_grad_##SUFFIX(const float* dy, const float* x, const float* s, const float* o, const float* a,  \
                                      const float* k, const float* c, float* dx, int64_t r0, int64_t r1, int64_t ch) {  \
    relu_affine_grad_body(dy, x, s, o, a, k, c, dx, r0, r1, ch);                                                        \
  }

SAMLAB_BN_RELU_BODIES(generic, )
#if defined(__x86_64__) || defined(__i386__)
SAMLAB_BN_RELU_BODIES(avx2, __attribute__((target("avx2,fma"))))
#endif

const Bodies& bodies() {
  static const Bodies chosen = [] {
#if defined(__x86_64__) || defined(__i386__)
    if (dispatch().simd != Simd::Generic)
      return Bodies{affine_relu_avx2, affine_add_relu_avx2, relu_grad_sums_avx2, relu_affine_grad_avx2};
#endif
    return Bodies{affine_relu_generic, affine_add_relu_generic, relu_grad_sums_generic, relu_affine_grad_generic};
  }();
  return chosen;
}

}  // namespace

void channel_affine_relu(const float* x, const float* scale, const float* offset, const float* residual, float* y,
                         int64_t rows, int64_t channels) {
  if (rows <= 0 || channels <= 0) return;
  const Bodies& b = bodies();
  if (residual == nullptr)
    parallel_rows(rows, channels, [&](int64_t r0, int64_t r1) { b.affine_relu(x, scale, offset, y, r0, r1, channels); });
  else
    parallel_rows(rows, channels,
                  [&](int64_t r0, int64_t r1) { b.affine_add_relu(x, scale, offset, residual, y, r0, r1, channels); });
}

void channel_relu_grad_sums(const float* dy, const float* x, const float* scale, const float* offset,
                            const float* center, float* sum_g, float* sum_gx, int64_t rows, int64_t channels) {
  if (channels <= 0) return;
  std::vector<double> ce(static_cast<size_t>(channels), 0.0);
  if (center != nullptr)
    for (int64_t j = 0; j < channels; ++j) ce[static_cast<size_t>(j)] = center[j];
  std::vector<double> s1(static_cast<size_t>(channels), 0.0), s2(static_cast<size_t>(channels), 0.0);
  if (rows > 0) {
    const auto fn = bodies().relu_grad_sums;
    chunked_sums(
        rows, channels,
        [&](int64_t r0, int64_t r1, double* p1, double* p2) { fn(dy, x, scale, offset, ce.data(), r0, r1, channels, p1, p2); },
        s1, s2);
  }
  for (int64_t j = 0; j < channels; ++j) {
    sum_g[j] = static_cast<float>(s1[static_cast<size_t>(j)]);
    sum_gx[j] = static_cast<float>(s2[static_cast<size_t>(j)]);
  }
}

void channel_relu_affine_grad(const float* dy, const float* x, const float* scale, const float* offset, const float* a,
                              const float* k, const float* c, float* dx, int64_t rows, int64_t channels) {
  if (rows <= 0 || channels <= 0) return;
  const auto fn = bodies().relu_affine_grad;
  parallel_rows(rows, channels, [&](int64_t r0, int64_t r1) { fn(dy, x, scale, offset, a, k, c, dx, r0, r1, channels); });
}

}  // namespace samlab
