#include "pool.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "pool_2x2.h"
#include "threadpool.h"

namespace samlab {

const char* PoolGeometry::validate() const {
  if (batch < 0 || in_h < 0 || in_w < 0 || channels < 0 || out_h < 0 || out_w < 0) return "negative dimension";
  if (filter_h <= 0 || filter_w <= 0) return "filter size must be positive";
  if (stride_h <= 0 || stride_w <= 0) return "strides must be positive";
  if (dilation_h <= 0 || dilation_w <= 0) return "dilations must be positive";
  if (int64_t(batch) * out_h > INT32_MAX) return "more than 2^31 output rows";
  return nullptr;
}

namespace {

// The in-bounds window taps of output pixel (oy, ox), as [start, end) with step dilation.
struct Window {
  int y0, y1, x0, x1;
};

Window window(const PoolGeometry& g, int oy, int ox) {
  const int ry = oy * g.stride_h - g.pad_top;
  const int rx = ox * g.stride_w - g.pad_left;
  Window w;
  w.y0 = ry;
  while (w.y0 < 0) w.y0 += g.dilation_h;
  w.y1 = std::min(g.in_h, ry + (g.filter_h - 1) * g.dilation_h + 1);
  w.x0 = rx;
  while (w.x0 < 0) w.x0 += g.dilation_w;
  w.x1 = std::min(g.in_w, rx + (g.filter_w - 1) * g.dilation_w + 1);
  return w;
}

// How the windows of a gradient tile the input: `disjoint` when no input pixel is in two
// windows (then the gradient is assigned, not accumulated), `covering` when moreover every
// input pixel is in one (then dx needs no zero-fill first).
struct Tiling {
  bool disjoint, covering;
};

Tiling tiling(const PoolGeometry& g) {
  const int eff_h = (g.filter_h - 1) * g.dilation_h + 1, eff_w = (g.filter_w - 1) * g.dilation_w + 1;
  const bool disjoint = g.stride_h >= eff_h && g.stride_w >= eff_w;
  const bool covering = disjoint && g.dilation_h == 1 && g.dilation_w == 1 && g.stride_h == eff_h && g.stride_w == eff_w &&
                        g.pad_top == 0 && g.pad_left == 0 && g.out_h * g.stride_h == g.in_h && g.out_w * g.stride_w == g.in_w;
  return Tiling{disjoint, covering};
}

// One window tap of the max-pool gradient over C channels: the channels whose maximum
// is first found at this tap take dy; `assign` when no other window covers the tap.
// Loads are unconditional and selects branch-free so the loop vectorises.
inline void tap_grad(const float* __restrict xp, const float* __restrict m, const float* __restrict dyp,
                     float* __restrict dp, int32_t* __restrict taken, int C, bool assign) {
  if (assign) {
    for (int c = 0; c < C; ++c) {
      const float v = dyp[c];
      const int32_t take = (taken[c] == 0) & (xp[c] == m[c]);
      dp[c] = take ? v : 0.f;
      taken[c] |= take;
    }
  } else {
    for (int c = 0; c < C; ++c) {
      const float v = dp[c] + dyp[c];
      const float keep = dp[c];
      const int32_t take = (taken[c] == 0) & (xp[c] == m[c]);
      dp[c] = take ? v : keep;
      taken[c] |= take;
    }
  }
}

// Rows of output pixels, batched over images and output rows.
void for_rows(const PoolGeometry& g, const std::function<void(int b, int oy)>& fn) {
  const int64_t rows = int64_t(g.batch) * g.out_h;
  const int64_t per_row = int64_t(g.out_w) * g.channels * g.filter_h * g.filter_w;
  parallel_for(rows, std::max<int64_t>(1, 32768 / std::max<int64_t>(per_row, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) fn(static_cast<int>(r / g.out_h), static_cast<int>(r % g.out_h));
  });
}

// Images, for scatter-adds whose windows may overlap (one thread per image).
void for_images(const PoolGeometry& g, const std::function<void(int b)>& fn) {
  parallel_for(g.batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) fn(static_cast<int>(b));
  });
}

}  // namespace

void max_pool(const PoolGeometry& g, const float* x, float* y) {
  if (is_pool_2x2(g)) return max_pool_2x2(g, x, y);
  const int C = g.channels;
  for_rows(g, [&](int b, int oy) {
    const float* xb = x + int64_t(b) * g.in_h * g.in_w * C;
    float* yr = y + (int64_t(b) * g.out_h + oy) * g.out_w * C;
    for (int ox = 0; ox < g.out_w; ++ox) {
      float* yp = yr + int64_t(ox) * C;
      for (int c = 0; c < C; ++c) yp[c] = -std::numeric_limits<float>::infinity();
      const Window w = window(g, oy, ox);
      for (int iy = w.y0; iy < w.y1; iy += g.dilation_h)
        for (int ix = w.x0; ix < w.x1; ix += g.dilation_w) {
          const float* xp = xb + (int64_t(iy) * g.in_w + ix) * C;
          // `v > m ? v : m` keeps m on NaN, as tfjs does (and compiles to maxps).
          for (int c = 0; c < C; ++c) yp[c] = xp[c] > yp[c] ? xp[c] : yp[c];
        }
    }
  });
}

void max_pool_grad(const PoolGeometry& g, const float* x, const float* dy, float* dx) {
  const int C = g.channels;
  const Tiling t = tiling(g);
  if (!t.covering) std::memset(dx, 0, sizeof(float) * static_cast<size_t>(g.in_size()));
  if (is_pool_2x2(g)) return max_pool_grad_2x2(g, x, dy, dx);
  for_images(g, [&](int b) {
    // Per output pixel: the window maximum per channel (vectorised), then the gradient goes
    // to the first tap in row-major window order holding it: tfjs's strict-'>' argmax.
    // An all-NaN or all -Infinity window has no argmax in tfjs, so no gradient here either.
    std::vector<float> best(C);
    std::vector<int32_t> done(C);
    const int64_t image = int64_t(g.in_h) * g.in_w * C;
    const float* xb = x + b * image;
    float* dxb = dx + b * image;
    const float ninf = -std::numeric_limits<float>::infinity();
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        const float* dyp = dy + ((int64_t(b) * g.out_h + oy) * g.out_w + ox) * C;
        const Window w = window(g, oy, ox);
        float* m = best.data();
        for (int c = 0; c < C; ++c) m[c] = ninf;
        for (int iy = w.y0; iy < w.y1; iy += g.dilation_h)
          for (int ix = w.x0; ix < w.x1; ix += g.dilation_w) {
            const float* xp = xb + (int64_t(iy) * g.in_w + ix) * C;
            for (int c = 0; c < C; ++c) m[c] = xp[c] > m[c] ? xp[c] : m[c];
          }
        // Branch-free (the argmax position is data-dependent and mispredicts): taken[c]
        // is set at the first tap equal to the maximum; later equal taps are skipped.
        int32_t* taken = done.data();
        for (int c = 0; c < C; ++c) taken[c] = m[c] == ninf;
        for (int iy = w.y0; iy < w.y1; iy += g.dilation_h)
          for (int ix = w.x0; ix < w.x1; ix += g.dilation_w) {
            const int64_t off = (int64_t(iy) * g.in_w + ix) * C;
            tap_grad(xb + off, m, dyp, dxb + off, taken, C, t.disjoint);
          }
      }
  });
}

void avg_pool(const PoolGeometry& g, const float* x, float* y) {
  const int C = g.channels;
  for_rows(g, [&](int b, int oy) {
    const float* xb = x + int64_t(b) * g.in_h * g.in_w * C;
    float* yr = y + (int64_t(b) * g.out_h + oy) * g.out_w * C;
    for (int ox = 0; ox < g.out_w; ++ox) {
      float* yp = yr + int64_t(ox) * C;
      for (int c = 0; c < C; ++c) yp[c] = 0.f;
      const Window w = window(g, oy, ox);
      int count = 0;
      for (int iy = w.y0; iy < w.y1; iy += g.dilation_h)
        for (int ix = w.x0; ix < w.x1; ix += g.dilation_w) {
          const float* xp = xb + (int64_t(iy) * g.in_w + ix) * C;
          for (int c = 0; c < C; ++c) yp[c] += xp[c];
          ++count;
        }
      // count == 0 gives NaN, like tfjs's 0/0.
      if (count == 0) {
        for (int c = 0; c < C; ++c) yp[c] = std::numeric_limits<float>::quiet_NaN();
      } else {
        for (int c = 0; c < C; ++c) yp[c] = yp[c] / static_cast<float>(count);
      }
    }
  });
}

void avg_pool_grad(const PoolGeometry& g, const float* dy, float* dx) {
  const int C = g.channels;
  const float scale = 1.0f / static_cast<float>(g.filter_h * g.filter_w);
  const Tiling t = tiling(g);
  if (!t.covering) std::memset(dx, 0, sizeof(float) * static_cast<size_t>(g.in_size()));
  for_images(g, [&](int b) {
    float* dxb = dx + int64_t(b) * g.in_h * g.in_w * C;
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        const float* dyp = dy + ((int64_t(b) * g.out_h + oy) * g.out_w + ox) * C;
        const Window w = window(g, oy, ox);
        for (int iy = w.y0; iy < w.y1; iy += g.dilation_h)
          for (int ix = w.x0; ix < w.x1; ix += g.dilation_w) {
            float* dp = dxb + (int64_t(iy) * g.in_w + ix) * C;
            if (t.disjoint) {
              for (int c = 0; c < C; ++c) dp[c] = dyp[c] * scale;
            } else {
              for (int c = 0; c < C; ++c) dp[c] += dyp[c] * scale;
            }
          }
      }
  });
}

}  // namespace samlab
