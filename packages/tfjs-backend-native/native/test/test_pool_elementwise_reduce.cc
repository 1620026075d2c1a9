// Max-pool gradient tie-breaking (tfjs's first strict maximum, NaN ignored), broadcast
// collapsing, and the chunked column sums against sequential double sums.
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>
#include "../src/elementwise.h"
#include "../src/pool.h"
#include "../src/reduce.h"
using namespace samlab;
int main() {
  std::mt19937 rng(5); std::uniform_int_distribution<int> q(-3, 3);
  int bad = 0;
  // max pool grad with many ties (integer values): compare with tfjs's first-strict-max rule.
  for (int trial = 0; trial < 50; ++trial) {
    PoolGeometry g{2, 7, 6, 5, 0, 0, 3, 2, 2, 1, 1, 1, 1, 0};
    g.pad_top = trial % 2; g.pad_left = trial % 3 == 0;
    g.out_h = (g.in_h + 2 * g.pad_top - g.filter_h) / g.stride_h + 1; g.out_w = (g.in_w + 2 * g.pad_left - g.filter_w) / g.stride_w + 1;
    std::vector<float> x(g.in_size()), dy(g.out_size()), dx(g.in_size()), ref(g.in_size(), 0.f);
    for (auto& v : x) v = q(rng);
    for (auto& v : dy) v = q(rng) * 0.5f;
    if (trial == 3) for (int i = 0; i < 20; ++i) x[i] = std::numeric_limits<float>::quiet_NaN();
    max_pool_grad(g, x.data(), dy.data(), dx.data());
    for (int b = 0; b < g.batch; ++b) for (int oy = 0; oy < g.out_h; ++oy) for (int ox = 0; ox < g.out_w; ++ox) for (int c = 0; c < g.channels; ++c) {
      float m = -INFINITY; int pos = -1;
      for (int ky = 0; ky < g.filter_h; ++ky) for (int kx = 0; kx < g.filter_w; ++kx) {
        int iy = oy * g.stride_h - g.pad_top + ky, ix = ox * g.stride_w - g.pad_left + kx;
        if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
        int i = ((b * g.in_h + iy) * g.in_w + ix) * g.channels + c;
        if (x[i] > m) { m = x[i]; pos = i; }
      }
      if (pos >= 0) ref[pos] += dy[((b * g.out_h + oy) * g.out_w + ox) * g.channels + c];
    }
    for (size_t i = 0; i < dx.size(); ++i) if (dx[i] != ref[i]) { ++bad; if (bad < 5) printf("maxpoolgrad mismatch trial %d at %zu: %g vs %g\n", trial, i, dx[i], ref[i]); }
  }
  // binary broadcast with collapse: [2,3,4,5] op [1,3,1,5] and same shapes
  {
    int64_t shape[4] = {2, 3, 4, 5}; int64_t as[4] = {60, 20, 5, 1}; int64_t bs[4] = {0, 5, 0, 1};
    std::vector<float> a(120), b(15), o(120);
    for (auto& v : a) v = q(rng);
    for (auto& v : b) v = q(rng);
    binary_broadcast(BinaryOp::Sub, 4, shape, a.data(), as, b.data(), bs, o.data());
    for (int i0 = 0; i0 < 2; ++i0) for (int i1 = 0; i1 < 3; ++i1) for (int i2 = 0; i2 < 4; ++i2) for (int i3 = 0; i3 < 5; ++i3) {
      int i = ((i0 * 3 + i1) * 4 + i2) * 5 + i3; if (o[i] != a[i] - b[i1 * 5 + i3]) ++bad;
    }
    int64_t s2[3] = {7, 1, 9}; int64_t a2[3] = {9, 0, 1};
    std::vector<float> x(63), y(63), z(63);
    for (auto& v : x) v = q(rng);
    for (auto& v : y) v = q(rng);
    binary_broadcast(BinaryOp::Mul, 3, s2, x.data(), a2, y.data(), a2, z.data());
    for (int i = 0; i < 63; ++i) if (z[i] != x[i] * y[i]) ++bad;
  }
  // reduce: tall column sum, parallel path vs sequential double
  {
    int64_t R = 20000, inner = 32;
    std::vector<float> x(R * inner), o(inner), om(inner);
    std::uniform_real_distribution<float> u(-1, 1);
    for (auto& v : x) v = u(rng);
    reduce(ReduceOp::Sum, x.data(), 1, R, inner, o.data());
    reduce(ReduceOp::Mean, x.data(), 1, R, inner, om.data());
    for (int j = 0; j < inner; ++j) {
      double s = 0, sm = 0; for (int r = 0; r < R; ++r) { s += x[r * inner + j]; sm += (float)(x[r * inner + j] / (float)R); }
      if (std::fabs(o[j] - (float)s) > 1e-5 * std::fabs(s) + 1e-6) { ++bad; printf("sum %d %g %g\n", j, o[j], s); }
      if (std::fabs(om[j] - (float)sm) > 1e-6) { ++bad; printf("mean %d %g %g\n", j, om[j], sm); }
    }
  }
  // reduce: full reductions over a long row (the chunked parallel path)
  {
    const int64_t n = 200003;
    std::vector<float> x(n);
    std::uniform_real_distribution<float> u(-1, 1);
    for (auto& v : x) v = u(rng);
    float s = 0, mx = 0, mn = 0, mean = 0;
    reduce(ReduceOp::Sum, x.data(), 1, n, 1, &s);
    reduce(ReduceOp::Mean, x.data(), 1, n, 1, &mean);
    reduce(ReduceOp::Max, x.data(), 1, n, 1, &mx);
    reduce(ReduceOp::Min, x.data(), 1, n, 1, &mn);
    double rs = 0, rm = 0;
    float rmx = x[0], rmn = x[0];
    for (int64_t i = 0; i < n; ++i) {
      rs += x[i];
      rm += (float)(x[i] / (float)n);
      rmx = std::max(rmx, x[i]);
      rmn = std::min(rmn, x[i]);
    }
    if (std::fabs(s - rs) > 1e-4 || std::fabs(mean - rm) > 1e-7 || mx != rmx || mn != rmn) {
      ++bad;
      printf("full reduce: sum %g/%g mean %g/%g max %g/%g min %g/%g\n", s, rs, mean, rm, mx, rmx, mn, rmn);
    }
    x[123456] = std::numeric_limits<float>::quiet_NaN();
    reduce(ReduceOp::Max, x.data(), 1, n, 1, &mx);
    if (!std::isnan(mx)) {
      ++bad;
      printf("full max should propagate NaN\n");
    }
  }
  printf("%s (%d mismatches)\n", bad ? "FAIL" : "ok", bad);
  return bad != 0;
}
