// Batch norm's affine map fused with ReLU (batch_norm_relu.h) against element-by-element
// references: odd channel counts, a single row, NaN and infinities, values of x on the ReLU's
// edge (x = -offset / scale, where x * scale + offset rounds to about zero of either sign), and
// a shape split over the pool giving the same bytes on 1 and 4 threads.
// Tolerances: the kernels may contract x * scale + offset into one FMA where the reference
// rounds the product first, so values differ by a few float32 roundings of the terms' sizes
// (4 eps (|x scale| + |offset| + |residual|)); the backward kernels' mask must be exactly
// step(y) of the forward kernel's own output (the property the gradient needs), so it is
// checked bit for bit through g = dy step(y).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "../src/batch_norm_relu.h"
#include "../src/threadpool.h"
using namespace samlab;

namespace {
std::mt19937 rng(23);
int bad = 0;
constexpr double kEps = 1.0 / (1 << 23);

float step_ref(float v) { return v != v ? v : (v > 0.f ? 1.f : 0.f); }

// Random values with some NaN, +-Inf and exact zeros mixed in (when `specials`).
std::vector<float> values(size_t n, bool specials) {
  std::normal_distribution<float> d;
  std::uniform_int_distribution<int> pick(0, 60);
  std::vector<float> v(n);
  for (auto& e : v) {
    const int p = specials ? pick(rng) : 10;
    e = p == 0 ? std::numeric_limits<float>::quiet_NaN() : p == 1 ? INFINITY : p == 2 ? -INFINITY : p == 3 ? 0.f : d(rng);
  }
  return v;
}

struct Case {
  std::vector<float> x, scale, offset, residual, center, a, k, c, dy;
  std::vector<float> y, y_res, sum_g, sum_gx, dx;
};

Case run(int64_t rows, int64_t channels, bool specials) {
  Case t;
  const size_t n = static_cast<size_t>(rows * channels), ch = static_cast<size_t>(channels);
  t.x = values(n, specials);
  t.scale = values(ch, false);
  t.offset = values(ch, false);
  t.residual = values(n, specials);
  t.center = values(ch, false);
  t.a = values(ch, false);
  t.k = values(ch, false);
  t.c = values(ch, false);
  t.dy = values(n, specials);
  // Every fifth value on the ReLU's edge, and exact zeros of v in channel 0 (offset 0, x 0).
  for (size_t i = 0; i < n; i += 5) t.x[i] = -t.offset[i % ch] / t.scale[i % ch];
  t.offset[0] = 0.f;
  for (size_t i = 0; i < n; i += 3 * ch) t.x[i] = 0.f;
  t.y.assign(n, -7.f);
  t.y_res.assign(n, -7.f);
  t.dx.assign(n, -7.f);
  t.sum_g.assign(ch, -7.f);
  t.sum_gx.assign(ch, -7.f);
  channel_affine_relu(t.x.data(), t.scale.data(), t.offset.data(), nullptr, t.y.data(), rows, channels);
  channel_affine_relu(t.x.data(), t.scale.data(), t.offset.data(), t.residual.data(), t.y_res.data(), rows, channels);
  channel_relu_grad_sums(t.dy.data(), t.x.data(), t.scale.data(), t.offset.data(), t.center.data(), t.sum_g.data(),
                         t.sum_gx.data(), rows, channels);
  channel_relu_affine_grad(t.dy.data(), t.x.data(), t.scale.data(), t.offset.data(), t.a.data(), t.k.data(), t.c.data(),
                           t.dx.data(), rows, channels);
  return t;
}

// got within tol of want (NaN for NaN, infinities exactly).
bool close(double got, double want, double tol) {
  if (want != want) return got != got;
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= tol;
}

void report(const char* what, int64_t rows, int64_t channels, size_t i, double got, double want) {
  if (++bad < 8) printf("%s %lldx%lld at %zu: %g vs %g\n", what, (long long)rows, (long long)channels, i, got, want);
}

void check(int64_t rows, int64_t channels) {
  const Case t = run(rows, channels, true);
  const size_t ch = static_cast<size_t>(channels);
  std::vector<double> s1(ch, 0.0), s2(ch, 0.0), mag(ch, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < ch; ++j) {
      const size_t i = static_cast<size_t>(r) * ch + j;
      const double xs = static_cast<double>(t.x[i]) * t.scale[j];
      const double v = xs + t.offset[j];
      const double y = v < 0 ? 0.0 : v;
      const double vr = v + t.residual[i];
      const double yr = vr < 0 ? 0.0 : vr;
      const double tol = 4 * kEps * (std::fabs(xs) + std::fabs(t.offset[j]));
      if (!close(t.y[i], y, tol)) report("y", rows, channels, i, t.y[i], y);
      if (!close(t.y_res[i], yr, tol + 4 * kEps * std::fabs(t.residual[i]))) report("y+residual", rows, channels, i, t.y_res[i], yr);
      // The gradient behind the forward kernel's own output.
      const float g = t.dy[i] * step_ref(t.y[i]);
      const double gd = g;
      const double want = gd * t.a[j] - static_cast<double>(t.x[i]) * t.k[j] + t.c[j];
      const double dx_tol = 4 * kEps * (std::fabs(gd * t.a[j]) + std::fabs(static_cast<double>(t.x[i]) * t.k[j]) + std::fabs(t.c[j]));
      if (!close(t.dx[i], want, dx_tol)) report("dx", rows, channels, i, t.dx[i], want);
      s1[j] += gd;
      s2[j] += gd * (static_cast<double>(t.x[i]) - t.center[j]);
      mag[j] += std::fabs(gd) * (1 + std::fabs(static_cast<double>(t.x[i]) - t.center[j]));
    }
  // The sums are taken in double, so they differ from the reference by the final float
  // rounding and the reordering of double additions (far below it).
  for (size_t j = 0; j < ch; ++j) {
    if (!close(t.sum_g[j], s1[j], 2 * kEps * mag[j] + 1e-30)) report("sum g", rows, channels, j, t.sum_g[j], s1[j]);
    if (!close(t.sum_gx[j], s2[j], 2 * kEps * mag[j] + 1e-30)) report("sum g(x-center)", rows, channels, j, t.sum_gx[j], s2[j]);
  }
}

// Split over the pool: the same bytes on 1 and 4 threads.
void thread_count_independence() {
  for (const auto& [rows, channels] : std::vector<std::pair<int64_t, int64_t>>{{128 * 32 * 32, 16}, {128 * 8 * 8 + 3, 67}}) {
    std::vector<Case> runs;
    for (const int threads : {1, 4}) {
      ThreadPool::resize_global(threads);
      rng.seed(99);
      runs.push_back(run(rows, channels, false));
    }
    const auto eq = [](const std::vector<float>& a, const std::vector<float>& b) {
      return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
    };
    const Case &p = runs[0], &q = runs[1];
    if ((!eq(p.y, q.y) || !eq(p.y_res, q.y_res) || !eq(p.dx, q.dx) || !eq(p.sum_g, q.sum_g) || !eq(p.sum_gx, q.sum_gx)) &&
        ++bad < 8)
      printf("thread count changes the result at %lldx%lld\n", (long long)rows, (long long)channels);
  }
  ThreadPool::resize_global(0);
}
}  // namespace

int main() {
  for (const auto& [rows, channels] :
       std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {1, 17}, {7, 3}, {33, 16}, {129, 5}, {0, 4}, {4099, 33}, {2048, 64}})
    check(rows, channels);
  thread_count_independence();
  printf("%s (%d mismatches)\n", bad ? "FAIL" : "ok", bad);
  return bad != 0;
}
