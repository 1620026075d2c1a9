// Max-pool gradient tie-breaking (tfjs's first strict maximum, NaN ignored; 2x2 stride-2
// windows forward too), broadcast
// collapsing, comparisons and logical ops on bool bytes (NaN, broadcasting), casts
// (JavaScript's ToInt32), select, scaled_add (bit for bit two roundings), and the chunked
// column sums against sequential double sums.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>
#include "../src/elementwise.h"
#include "../src/pool.h"
#include "../src/reduce.h"
#include "../src/threadpool.h"
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
  // 2x2 stride-2 windows (their own path): odd sizes, batch 1, channel counts off the vector
  // widths, ties, NaN and -Infinity; forward and gradient against the same first-strict-max rule.
  for (int trial = 0; trial < 24; ++trial) {
    const int b = 1 + trial % 3, h = 2 + trial % 5, w = 3 + trial % 4, c = 1 + (trial * 7) % 37;
    PoolGeometry g{b, h, w, c, h / 2, w / 2, 2, 2, 2, 2, 1, 1, 0, 0};
    std::vector<float> x(g.in_size()), dy(g.out_size()), y(g.out_size()), dx(g.in_size(), 7.f), ref(g.in_size(), 0.f);
    for (auto& v : x) v = q(rng);
    for (auto& v : dy) v = q(rng) * 0.5f + 0.25f;
    for (size_t i = trial % 3; i < x.size(); i += 5) x[i] = std::numeric_limits<float>::quiet_NaN();
    for (size_t i = trial % 4; i < x.size(); i += 7) x[i] = -INFINITY;
    max_pool(g, x.data(), y.data());
    max_pool_grad(g, x.data(), dy.data(), dx.data());
    for (int n = 0; n < g.batch; ++n) for (int oy = 0; oy < g.out_h; ++oy) for (int ox = 0; ox < g.out_w; ++ox) for (int ch = 0; ch < c; ++ch) {
      float m = -INFINITY; int pos = -1;
      for (int ky = 0; ky < 2; ++ky) for (int kx = 0; kx < 2; ++kx) {
        const int i = ((n * h + 2 * oy + ky) * w + 2 * ox + kx) * c + ch;
        if (x[i] > m) { m = x[i]; pos = i; }
      }
      const int o = ((n * g.out_h + oy) * g.out_w + ox) * c + ch;
      if (y[o] != m) { ++bad; if (bad < 5) printf("maxpool 2x2 trial %d at %d: %g vs %g\n", trial, o, y[o], m); }
      if (pos >= 0) ref[pos] += dy[o];
    }
    for (size_t i = 0; i < dx.size(); ++i) if (dx[i] != ref[i]) { ++bad; if (bad < 5) printf("maxpoolgrad 2x2 trial %d at %zu: %g vs %g\n", trial, i, dx[i], ref[i]); }
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
  // comparisons: NaN, signed zeros and infinities against every value, then a broadcast
  // [40, 1, 33, 50] vs [7, 33, 1] large enough to be split across threads mid-row.
  {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = INFINITY;
    const std::vector<float> sp = {0.f, -0.f, 1.f, -1.f, 2.5f, -3.75f, inf, -inf, nan};
    const int64_t k = static_cast<int64_t>(sp.size());
    int64_t shape[2] = {k, k}, as[2] = {1, 0}, bs[2] = {0, 1};
    std::vector<uint8_t> o(k * k);
    auto ref = [](CompareOp op, float a, float b) -> uint8_t {
      switch (op) {
        case CompareOp::Greater: return a > b;
        case CompareOp::GreaterEqual: return a >= b;
        case CompareOp::Less: return a < b;
        case CompareOp::LessEqual: return a <= b;
        case CompareOp::Equal: return a == b;
        case CompareOp::NotEqual: return a != b;
      }
      return 2;
    };
    for (int op = 0; op <= static_cast<int>(CompareOp::NotEqual); ++op) {
      const CompareOp c = static_cast<CompareOp>(op);
      compare_broadcast(c, 2, shape, sp.data(), as, sp.data(), bs, o.data());
      for (int64_t i = 0; i < k; ++i) for (int64_t j = 0; j < k; ++j) {
        const uint8_t want = ref(c, sp[i], sp[j]);
        if (o[i * k + j] != want) { ++bad; printf("compare %d (%g, %g): %d vs %d\n", op, sp[i], sp[j], o[i * k + j], want); }
        if ((std::isnan(sp[i]) || std::isnan(sp[j])) && want != (c == CompareOp::NotEqual)) { ++bad; printf("NaN rule broken\n"); }
      }
    }
    int64_t s4[4] = {40, 7, 33, 50}, a4[4] = {33 * 50, 0, 50, 1}, b4[4] = {0, 33, 1, 0};
    std::vector<float> x(40 * 33 * 50), y(7 * 33);
    for (auto& v : x) v = q(rng) * 0.5f;
    for (auto& v : y) v = q(rng) * 0.5f;
    x[17] = nan;
    std::vector<uint8_t> out(40 * 7 * 33 * 50);
    compare_broadcast(CompareOp::GreaterEqual, 4, s4, x.data(), a4, y.data(), b4, out.data());
    for (int i0 = 0; i0 < 40; ++i0) for (int i1 = 0; i1 < 7; ++i1) for (int i2 = 0; i2 < 33; ++i2) for (int i3 = 0; i3 < 50; ++i3) {
      const int64_t i = ((int64_t(i0) * 7 + i1) * 33 + i2) * 50 + i3;
      if (out[i] != (x[(i0 * 33 + i2) * 50 + i3] >= y[i1 * 33 + i2])) ++bad;
    }
  }
  // logical ops: JavaScript's && and || on bytes (a non-0/1 byte passes through), broadcast
  // along rows; not; select picks t only on a byte of exactly 1.
  {
    const std::vector<uint8_t> a = {0, 1, 0, 1, 2, 0}, b = {0, 0, 1, 1, 1, 3};
    std::vector<uint8_t> o(6);
    int64_t s1[1] = {6}, st[1] = {1};
    logical_broadcast(LogicalOp::And, 1, s1, a.data(), st, b.data(), st, o.data());
    const std::vector<uint8_t> want_and = {0, 0, 0, 1, 1, 0}, want_or = {0, 1, 1, 1, 2, 3};
    if (o != want_and) { ++bad; printf("logical and\n"); }
    logical_broadcast(LogicalOp::Or, 1, s1, a.data(), st, b.data(), st, o.data());
    if (o != want_or) { ++bad; printf("logical or\n"); }
    int64_t s2[2] = {6, 6}, ra[2] = {1, 0}, rb[2] = {0, 1};
    std::vector<uint8_t> m(36);
    logical_broadcast(LogicalOp::And, 2, s2, a.data(), ra, b.data(), rb, m.data());
    for (int i = 0; i < 6; ++i) for (int j = 0; j < 6; ++j) if (m[i * 6 + j] != (a[i] ? b[j] : a[i])) ++bad;
    logical_not(a.data(), o.data(), 6);
    for (int i = 0; i < 6; ++i) if (o[i] != (a[i] ? 0 : 1)) ++bad;
    const std::vector<float> t = {1, 2, 3, 4, 5, 6}, e = {-1, -2, -3, -4, -5, -6};
    std::vector<float> so(6);
    select(a.data(), t.data(), e.data(), so.data(), 6);
    for (int i = 0; i < 6; ++i) if (so[i] != (a[i] == 1 ? t[i] : e[i])) { ++bad; printf("select %d\n", i); }
  }
  // casts: ToInt32 on the edges, != 0 to bool, int32 to float32 with its inexact count.
  {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> x = {0.f, -0.f, 1.9f, -1.9f, 2147483520.f, 2147483648.f, -2147483648.f, 4294967296.f,
                                  6442450944.f, -6442450944.f, 1e20f, INFINITY, -INFINITY, nan};
    const std::vector<int32_t> want = {0, 0, 1, -1, 2147483520, INT32_MIN, INT32_MIN, 0,
                                       INT32_MIN, INT32_MIN, 0, 0, 0, 0};
    std::vector<int32_t> i32(x.size());
    cast(DType::Float32, DType::Int32, x.data(), i32.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) if (i32[i] != want[i]) { ++bad; printf("toInt32(%g) = %d, want %d\n", x[i], i32[i], want[i]); }
    std::vector<uint8_t> b(x.size());
    cast(DType::Float32, DType::Bool, x.data(), b.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) if (b[i] != (i < 2 ? 0 : 1)) { ++bad; printf("to bool %zu\n", i); }
    const std::vector<int32_t> ints = {0, -7, 16777216, 16777217, INT32_MAX, INT32_MIN};
    std::vector<float> f(ints.size());
    const int64_t inexact = cast(DType::Int32, DType::Float32, ints.data(), f.data(), static_cast<int64_t>(ints.size()));
    if (inexact != 2 || f[1] != -7.f || f[3] != 16777216.f || f[5] != -2147483648.f) { ++bad; printf("int32 to float32: %lld inexact\n", (long long)inexact); }
    const int64_t n = 300001;
    std::vector<uint8_t> bits(n);
    for (int64_t i = 0; i < n; ++i) bits[i] = (i * 7919) % 3 == 0;
    std::vector<float> fb(n);
    if (cast(DType::Bool, DType::Float32, bits.data(), fb.data(), n) != 0) ++bad;
    for (int64_t i = 0; i < n; ++i) if (fb[i] != static_cast<float>(bits[i])) { ++bad; break; }
  }
  // scaled_add: bit for bit the product rounded to float, then the sum (volatile keeps the
  // reference from being contracted into an FMA), specials included, on 1-3 threads
  {
    const int64_t n = 300001;
    std::vector<float> a(n), b(n), out(n);
    std::uniform_real_distribution<float> u(-2, 2);
    for (int64_t i = 0; i < n; ++i) a[i] = u(rng), b[i] = u(rng) * 1e3f;
    const float specials[] = {0.f, -0.f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(), 1e-45f, 3e38f, -3e38f};
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 8; ++j) a[i * 8 + j] = specials[i], b[i * 8 + j] = specials[j];
    for (const float sc : {0.9f, 5e-4f, -0.01f, 0.f, 1e30f}) {
      for (int threads = 1; threads <= 3; ++threads) {
        ThreadPool::resize_global(threads);
        scaled_add(a.data(), b.data(), sc, out.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          volatile float product = b[i] * sc;
          const float want = a[i] + product;
          if (std::memcmp(&want, &out[i], sizeof want) != 0 && !(want != want && out[i] != out[i])) {
            ++bad;
            printf("scaled_add s=%g at %lld: %g, expected %g\n", sc, static_cast<long long>(i), out[i], want);
            break;
          }
        }
      }
    }
    ThreadPool::resize_global(0);
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
