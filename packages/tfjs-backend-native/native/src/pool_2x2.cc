#include "pool_2x2.h"

#include <algorithm>
#include <limits>

#include "dispatch.h"
#include "threadpool.h"

namespace samlab {

namespace {

#define SAMLAB_INLINE inline __attribute__((always_inline))

// The taps of one window in row-major order: a (0,0), b (0,1), c (1,0), d (1,1).
// `v > m ? v : m` from -Infinity ignores NaN, as pool.cc's max.
SAMLAB_INLINE float max4(float a, float b, float c, float d) {
  float m = -std::numeric_limits<float>::infinity();
  m = a > m ? a : m;
  m = b > m ? b : m;
  m = c > m ? c : m;
  return d > m ? d : m;
}

// One output row: x0 and x1 are the two input rows, y the output row.
SAMLAB_INLINE void forward_row(const float* __restrict x0, const float* __restrict x1, float* __restrict y, int out_w, int C) {
  for (int ox = 0; ox < out_w; ++ox) {
    const float* a = x0 + int64_t(2 * ox) * C;
    const float* c = x1 + int64_t(2 * ox) * C;
    float* yp = y + int64_t(ox) * C;
    for (int j = 0; j < C; ++j) yp[j] = max4(a[j], a[C + j], c[j], c[C + j]);
  }
}

// One output row of the gradient: dy goes to the first tap equal to the window's maximum
// (none when the maximum is -Infinity: an all-NaN or all -Infinity window), the other taps get 0.
SAMLAB_INLINE void grad_row(const float* __restrict x0, const float* __restrict x1, const float* __restrict dy,
                            float* __restrict d0, float* __restrict d1, int out_w, int C) {
  const float ninf = -std::numeric_limits<float>::infinity();
  for (int ox = 0; ox < out_w; ++ox) {
    const int64_t at = int64_t(2 * ox) * C;
    const float* a = x0 + at;
    const float* c = x1 + at;
    float* da = d0 + at;
    float* dc = d1 + at;
    const float* g = dy + int64_t(ox) * C;
    for (int j = 0; j < C; ++j) {
      const float va = a[j], vb = a[C + j], vc = c[j], vd = c[C + j];
      const float m = max4(va, vb, vc, vd);
      // Flat selects on bit masks (nested conditionals compile to branches).
      const int none = m == ninf;
      const int ta = !none & (va == m);
      const int tb = !(none | ta) & (vb == m);
      const int tc = !(none | ta | tb) & (vc == m);
      const int td = !(none | ta | tb | tc) & (vd == m);
      da[j] = ta ? g[j] : 0.f;
      da[C + j] = tb ? g[j] : 0.f;
      dc[j] = tc ? g[j] : 0.f;
      dc[C + j] = td ? g[j] : 0.f;
    }
  }
}

struct Bodies {
  void (*forward)(const float*, const float*, float*, int, int);
  void (*grad)(const float*, const float*, const float*, float*, float*, int, int);
};

#define SAMLAB_POOL_2X2_BODIES(SUFFIX, ATTR)                                                                           \
  ATTR void forward_##SUFFIX(const float* x0, const float* x1, float* y, int out_w, int C) {                          \
    forward_row(x0, x1, y, out_w, C);                                                                                 \
  }                                                                                                                   \
  ATTR void grad_##SUFFIX(const float* x0, const float* x1, const float* dy, float* d0, float* d1, int out_w, int C) { \
    grad_row(x0, x1, dy, d0, d1, out_w, C);                                                                           \
  }

SAMLAB_POOL_2X2_BODIES(generic, )
#if defined(__x86_64__) || defined(__i386__)
SAMLAB_POOL_2X2_BODIES(avx2, __attribute__((target("avx2,fma"))))
#endif

const Bodies& bodies() {
  static const Bodies chosen = [] {
#if defined(__x86_64__) || defined(__i386__)
    if (dispatch().simd != Simd::Generic) return Bodies{forward_avx2, grad_avx2};
#endif
    return Bodies{forward_generic, grad_generic};
  }();
  return chosen;
}

// fn(b, oy, x0, x1) per output row over the pool, rows of about 32k input values per task.
template <typename Fn>
void for_output_rows(const PoolGeometry& g, Fn&& fn) {
  const int64_t rows = int64_t(g.batch) * g.out_h;
  const int64_t per_row = int64_t(g.out_w) * g.channels * 4;
  const int64_t row_stride = int64_t(g.in_w) * g.channels;
  parallel_for(rows, std::max<int64_t>(1, 32768 / std::max<int64_t>(per_row, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      const int64_t in_row = (b * g.in_h + 2 * oy) * row_stride;
      fn(r, in_row, in_row + row_stride);
    }
  });
}

}  // namespace

bool is_pool_2x2(const PoolGeometry& g) {
  return g.filter_h == 2 && g.filter_w == 2 && g.stride_h == 2 && g.stride_w == 2 && g.dilation_h == 1 && g.dilation_w == 1 &&
         g.pad_top == 0 && g.pad_left == 0 && 2 * g.out_h <= g.in_h && 2 * g.out_w <= g.in_w;
}

void max_pool_2x2(const PoolGeometry& g, const float* x, float* y) {
  const auto fn = bodies().forward;
  const int64_t out_row = int64_t(g.out_w) * g.channels;
  for_output_rows(g, [&](int64_t r, int64_t in0, int64_t in1) { fn(x + in0, x + in1, y + r * out_row, g.out_w, g.channels); });
}

void max_pool_grad_2x2(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  const auto fn = bodies().grad;
  const int64_t out_row = int64_t(g.out_w) * g.channels;
  for_output_rows(g, [&](int64_t r, int64_t in0, int64_t in1) {
    fn(x + in0, x + in1, dy + r * out_row, dx + in0, dx + in1, g.out_w, g.channels);
  });
}

}  // namespace samlab
