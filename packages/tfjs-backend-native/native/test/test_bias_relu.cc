// Bias + ReLU and the ReLU gradient with its bias sums against element-by-element references:
// odd channel counts, a single row, NaN and infinities (tfjs's Relu and Step rules), and a
// shape large enough to be split over the pool giving the same bytes on 1 and 4 threads.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "../src/bias_relu.h"
#include "../src/threadpool.h"
using namespace samlab;

namespace {
std::mt19937 rng(17);
int bad = 0;

bool same(float a, float b) { return (a != a && b != b) || std::memcmp(&a, &b, sizeof(float)) == 0; }

float relu_ref(float v) { return v < 0.f ? 0.f : v; }
float step_ref(float v) { return v != v ? v : (v > 0.f ? 1.f : 0.f); }

struct Case {
  std::vector<float> x, bias, y, dy, dx, sums;
};

// Random values with some NaN, +-Inf and exact zeros mixed in.
std::vector<float> values(size_t n) {
  std::normal_distribution<float> d;
  std::uniform_int_distribution<int> pick(0, 40);
  std::vector<float> v(n);
  for (auto& e : v) {
    const int p = pick(rng);
    e = p == 0 ? std::numeric_limits<float>::quiet_NaN() : p == 1 ? INFINITY : p == 2 ? -INFINITY : p == 3 ? 0.f : d(rng);
  }
  return v;
}

Case run(int64_t rows, int64_t channels) {
  Case c;
  const size_t n = static_cast<size_t>(rows * channels);
  c.x = values(n);
  c.bias = values(static_cast<size_t>(channels));
  c.dy = values(n);
  c.y.assign(n, -7.f);
  c.dx.assign(n, -7.f);
  c.sums.assign(static_cast<size_t>(channels), -7.f);
  bias_relu(c.x.data(), c.bias.data(), c.y.data(), rows, channels);
  relu_grad(c.dy.data(), c.y.data(), c.dx.data(), c.sums.data(), rows, channels);
  return c;
}

void check(int64_t rows, int64_t channels) {
  const Case c = run(rows, channels);
  std::vector<double> ref(static_cast<size_t>(channels), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < channels; ++j) {
      const size_t i = static_cast<size_t>(r * channels + j);
      const float y = relu_ref(c.x[i] + c.bias[static_cast<size_t>(j)]);
      const float dx = c.dy[i] * step_ref(y);
      if (!same(c.y[i], y) || !same(c.dx[i], dx)) {
        if (++bad < 5) printf("%lldx%lld at %zu: y %g vs %g, dx %g vs %g\n", (long long)rows, (long long)channels, i, c.y[i], y, c.dx[i], dx);
      }
      ref[static_cast<size_t>(j)] += dx;
    }
  for (int64_t j = 0; j < channels; ++j) {
    const double want = ref[static_cast<size_t>(j)];
    const float got = c.sums[static_cast<size_t>(j)];
    const bool ok = want != want ? got != got : std::isinf(want) ? got == static_cast<float>(want) : std::fabs(got - want) <= 1e-5 * (1 + std::fabs(want)) * rows;
    if (!ok && ++bad < 5) printf("sum %lldx%lld channel %lld: %g vs %g\n", (long long)rows, (long long)channels, (long long)j, got, want);
  }
  // Without sums: the same dx.
  std::vector<float> dx2(c.dx.size(), -7.f);
  relu_grad(c.dy.data(), c.y.data(), dx2.data(), nullptr, rows, channels);
  if (std::memcmp(dx2.data(), c.dx.data(), dx2.size() * sizeof(float)) != 0 && ++bad < 5) printf("relu_grad without sums differs\n");
}

// Split over the pool: the same bytes (outputs and sums) on 1 and 4 threads.
void thread_count_independence() {
  for (const auto& [rows, channels] : std::vector<std::pair<int64_t, int64_t>>{{128 * 32 * 32, 32}, {128 * 16 * 16 + 3, 19}}) {
    std::vector<Case> runs;
    for (const int threads : {1, 4}) {
      ThreadPool::resize_global(threads);
      rng.seed(99);
      runs.push_back(run(rows, channels));
    }
    const auto eq = [](const std::vector<float>& a, const std::vector<float>& b) { return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0; };
    if ((!eq(runs[0].y, runs[1].y) || !eq(runs[0].dx, runs[1].dx) || !eq(runs[0].sums, runs[1].sums)) && ++bad < 5)
      printf("thread count changes the result at %lldx%lld\n", (long long)rows, (long long)channels);
  }
  ThreadPool::resize_global(0);
}
}  // namespace

int main() {
  for (const auto& [rows, channels] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {1, 17}, {7, 3}, {33, 16}, {129, 5}, {0, 4}, {4099, 33}})
    check(rows, channels);
  thread_count_independence();
  printf("%s (%d mismatches)\n", bad ? "FAIL" : "ok", bad);
  return bad != 0;
}
