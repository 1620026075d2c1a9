// Training-mode batch norm in two calls (batch_norm_train.h) against a double-precision
// reference of the same formulas: with and without ReLU, with a residual, odd channel counts,
// batch 1-like shapes, data off zero; the ReLU mask of the gradient must be exactly step(y) of
// the forward's own output; 1 and 4 threads give the same bytes.
// Tolerances: the kernels round mean, variance, scale, offset and the coefficients a, k, c to
// float32 (and may fuse a multiply-add), so each output is within a few float32 roundings of
// the sizes of the terms that make it (8 eps times their sum); the per-channel sums are taken
// in double and rounded once.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../src/batch_norm_train.h"
#include "../src/threadpool.h"
using namespace samlab;

namespace {
std::mt19937 rng(31);
int bad = 0;
constexpr double kEps = 1.0 / (1 << 23);
constexpr double kEpsilon = 1e-5, kMomentum = 0.1;

std::vector<float> normals(size_t n, float mean, float sd) {
  std::normal_distribution<float> d(mean, sd);
  std::vector<float> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

struct Run {
  std::vector<float> y, mean, var, mm, mv, dx, dgamma, dbeta;
};

struct Inputs {
  std::vector<float> x, gamma, beta, mm, mv, residual, dy;
};

Inputs inputs(int64_t rows, int64_t channels) {
  const size_t n = static_cast<size_t>(rows * channels), c = static_cast<size_t>(channels);
  return {normals(n, 0.7f, 1.5f), normals(c, 1.f, 0.3f), normals(c, 0.f, 0.3f), normals(c, 0.f, 1.f),
          normals(c, 1.5f, 0.2f), normals(n, 0.f, 1.f), normals(n, 0.f, 1.f)};
}

Run run(const Inputs& in, int64_t rows, int64_t channels, bool relu, bool residual) {
  const size_t n = static_cast<size_t>(rows * channels), c = static_cast<size_t>(channels);
  Run r{std::vector<float>(n, -7.f), std::vector<float>(c, -7.f), std::vector<float>(c, -7.f), std::vector<float>(c, -7.f),
        std::vector<float>(c, -7.f), std::vector<float>(n, -7.f), std::vector<float>(c, -7.f), std::vector<float>(c, -7.f)};
  batch_norm_train(in.x.data(), in.gamma.data(), in.beta.data(), in.mm.data(), in.mv.data(),
                   residual ? in.residual.data() : nullptr, relu, kEpsilon, kMomentum,
                   {r.y.data(), r.mean.data(), r.var.data(), r.mm.data(), r.mv.data()}, rows, channels);
  if (!residual)
    batch_norm_train_grad(in.dy.data(), in.x.data(), in.gamma.data(), in.beta.data(), r.mean.data(), r.var.data(), relu,
                          kEpsilon, r.dx.data(), r.dgamma.data(), r.dbeta.data(), rows, channels);
  return r;
}

bool close(double got, double want, double tol) { return std::fabs(got - want) <= tol; }

void report(const char* what, int64_t rows, int64_t channels, size_t i, double got, double want) {
  if (++bad < 8) printf("%s %lldx%lld at %zu: %.9g vs %.9g\n", what, (long long)rows, (long long)channels, i, got, want);
}

void check(int64_t rows, int64_t channels, bool relu, bool residual) {
  const Inputs in = inputs(rows, channels);
  const Run r = run(in, rows, channels, relu, residual);
  const size_t c = static_cast<size_t>(channels);
  const double m = static_cast<double>(rows);
  for (size_t j = 0; j < c; ++j) {
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < rows; ++i) s1 += in.x[static_cast<size_t>(i) * c + j];
    const double mean = s1 / m;
    for (int64_t i = 0; i < rows; ++i) s2 += std::pow(in.x[static_cast<size_t>(i) * c + j] - mean, 2);
    const double var = s2 / m;
    if (!close(r.mean[j], mean, 4 * kEps * (std::fabs(mean) + 1))) report("mean", rows, channels, j, r.mean[j], mean);
    if (!close(r.var[j], var, 4 * kEps * var)) report("variance", rows, channels, j, r.var[j], var);
    const double mm = 0.9 * in.mm[j] + 0.1 * mean, mv = 0.9 * in.mv[j] + 0.1 * var * m / (m - 1);
    if (!close(r.mm[j], mm, 4 * kEps * (std::fabs(in.mm[j]) + std::fabs(mean)))) report("moving mean", rows, channels, j, r.mm[j], mm);
    if (!close(r.mv[j], mv, 4 * kEps * (in.mv[j] + var))) report("moving var", rows, channels, j, r.mv[j], mv);
    const double inv = 1 / std::sqrt(var + kEpsilon), a = in.gamma[j] * inv;
    double sum_g = 0, sum_gxhat = 0, mag = 0;
    std::vector<double> g(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) {
      const size_t e = static_cast<size_t>(i) * c + j;
      const double xhat = (in.x[e] - mean) * inv;
      const double v = in.gamma[j] * xhat + in.beta[j] + (residual ? in.residual[e] : 0.0);
      const double y = relu && v < 0 ? 0.0 : v;
      const double tol = 8 * kEps * (std::fabs(a * in.x[e]) + std::fabs(a * mean) + std::fabs(in.beta[j]) + (residual ? std::fabs(in.residual[e]) : 0.0));
      if (!close(r.y[e], y, tol)) report("y", rows, channels, e, r.y[e], y);
      // The gradient behind the forward's own output.
      const float step = r.y[e] > 0.f ? 1.f : 0.f;
      g[static_cast<size_t>(i)] = relu ? in.dy[e] * step : in.dy[e];
      sum_g += g[static_cast<size_t>(i)];
      sum_gxhat += g[static_cast<size_t>(i)] * xhat;
      mag += std::fabs(g[static_cast<size_t>(i)]) * (1 + std::fabs(xhat));
    }
    if (residual) continue;
    if (!close(r.dbeta[j], sum_g, 2 * kEps * mag)) report("dbeta", rows, channels, j, r.dbeta[j], sum_g);
    if (!close(r.dgamma[j], sum_gxhat, 8 * kEps * mag)) report("dgamma", rows, channels, j, r.dgamma[j], sum_gxhat);
    for (int64_t i = 0; i < rows; ++i) {
      const size_t e = static_cast<size_t>(i) * c + j;
      const double xhat = (in.x[e] - mean) * inv;
      const double dx = a * (g[static_cast<size_t>(i)] - sum_g / m - xhat * sum_gxhat / m);
      const double tol = 8 * kEps * (std::fabs(a) * (std::fabs(g[static_cast<size_t>(i)]) + mag / m * (1 + std::fabs(in.x[e] * inv) + std::fabs(mean * inv))));
      if (!close(r.dx[e], dx, tol)) report("dx", rows, channels, e, r.dx[e], dx);
    }
  }
}

void thread_count_independence() {
  const int64_t rows = 128 * 16 * 16 + 5, channels = 19;
  const Inputs in = inputs(rows, channels);
  for (const bool relu : {false, true}) {
    ThreadPool::resize_global(1);
    const Run p = run(in, rows, channels, relu, false);
    ThreadPool::resize_global(4);
    const Run q = run(in, rows, channels, relu, false);
    const auto eq = [](const std::vector<float>& a, const std::vector<float>& b) {
      return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
    };
    if ((!eq(p.y, q.y) || !eq(p.mean, q.mean) || !eq(p.var, q.var) || !eq(p.dx, q.dx) || !eq(p.dgamma, q.dgamma) ||
         !eq(p.dbeta, q.dbeta)) &&
        ++bad < 8)
      printf("thread count changes the result (relu %d)\n", relu);
  }
  ThreadPool::resize_global(0);
}
}  // namespace

int main() {
  for (const auto& [rows, channels] :
       std::vector<std::pair<int64_t, int64_t>>{{2, 1}, {2, 17}, {7, 3}, {33, 16}, {129, 5}, {4099, 33}, {8192, 64}})
    for (const bool relu : {false, true}) {
      check(rows, channels, relu, false);
      if (relu) check(rows, channels, relu, true);
    }
  thread_count_independence();
  printf("%s (%d mismatches)\n", bad ? "FAIL" : "ok", bad);
  return bad != 0;
}
