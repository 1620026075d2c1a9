// GEMM against a double-precision reference: every transpose, odd sizes, accumulate.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "../src/dispatch.h"
#include "../src/gemm.h"
#include "../src/threadpool.h"

using namespace samlab;

int main() {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  std::printf("gemm kernel %s, %d threads\n", dispatch().gemm.name, ThreadPool::global().size());
  const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {13, 17, 300}, {64, 33, 513}, {128, 10, 512}, {300, 200, 100}, {5, 700, 9}, {6, 16, 0}};
  int failures = 0;
  for (const auto& s : shapes) {
    for (int t = 0; t < 8; ++t) {
      const int m = s[0], n = s[1], k = s[2];
      const bool ta = t & 1, tb = t & 2, acc = t & 4;
      std::vector<float> a(size_t(m) * k), b(size_t(k) * n), c(size_t(m) * n), c0(size_t(m) * n);
      for (auto& x : a) x = u(rng);
      for (auto& x : b) x = u(rng);
      for (auto& x : c0) x = u(rng);
      c = c0;
      sgemm(ta, tb, m, n, k, a.data(), ta ? m : k, b.data(), tb ? k : n, c.data(), n, acc);
      double err = 0;
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          double r = acc ? c0[size_t(i) * n + j] : 0.0;
          for (int p = 0; p < k; ++p) r += double(ta ? a[size_t(p) * m + i] : a[size_t(i) * k + p]) * (tb ? b[size_t(j) * k + p] : b[size_t(p) * n + j]);
          err = std::max(err, std::fabs(r - c[size_t(i) * n + j]) / (1.0 + std::sqrt(double(k))));
        }
      if (err > 1e-5) {
        ++failures;
        std::printf("FAIL %dx%dx%d transA=%d transB=%d accumulate=%d: error %.3g\n", m, n, k, ta, tb, acc, err);
      }
    }
  }
  std::printf("%s\n", failures ? "gemm: FAILED" : "gemm: ok");
  return failures != 0;
}
