// Full reductions (sum, mean, max, min over whole rows), the lane-split paths:
// - max/min bit for bit the index-order combine (NaN anywhere, infinities, -0 vs 0 ties,
//   the extreme in the first element, in a lane, in the tail), rows short and long;
// - sums within double rounding of the index-order double sum: both accumulate floats in
//   double, so they differ by at most ~n * 2^-53 * sum|x| before the one rounding to float;
// - every result the same on 1, 2 and 3 threads;
// - global_norm (the L2 norm of several arrays, squares summed in double) against long
//   double, through float overflow and underflow, NaN for non-finite elements.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "../src/reduce.h"
#include "../src/threadpool.h"
using namespace samlab;

namespace {
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// tfjs's cpu loop: the first element, then a strict comparison, any NaN taken.
float ref_extreme(bool max, const float* x, int64_t n) {
  float acc = x[0];
  for (int64_t i = 1; i < n; ++i)
    if (x[i] != x[i] || (max ? x[i] > acc : x[i] < acc)) acc = x[i];
  return acc;
}

bool same_bits(float a, float b) {
  if (a != a && b != b) return true;
  return std::memcmp(&a, &b, sizeof a) == 0;
}

int bad = 0;

void check_extremes(const char* what, const std::vector<float>& x, int64_t rows) {
  const int64_t n = static_cast<int64_t>(x.size()) / rows;
  std::vector<float> mx(rows), mn(rows);
  reduce(ReduceOp::Max, x.data(), rows, n, 1, mx.data());
  reduce(ReduceOp::Min, x.data(), rows, n, 1, mn.data());
  for (int64_t r = 0; r < rows; ++r) {
    const float rmx = ref_extreme(true, x.data() + r * n, n), rmn = ref_extreme(false, x.data() + r * n, n);
    if (!same_bits(mx[r], rmx) || !same_bits(mn[r], rmn)) {
      ++bad;
      printf("%s (n %lld row %lld): max %g/%g min %g/%g\n", what, static_cast<long long>(n), static_cast<long long>(r), mx[r], rmx, mn[r], rmn);
    }
  }
}

void check_sums(const char* what, const std::vector<float>& x, int64_t rows) {
  const int64_t n = static_cast<int64_t>(x.size()) / rows;
  std::vector<float> s(rows), m(rows);
  reduce(ReduceOp::Sum, x.data(), rows, n, 1, s.data());
  reduce(ReduceOp::Mean, x.data(), rows, n, 1, m.data());
  const float count = static_cast<float>(n);
  for (int64_t r = 0; r < rows; ++r) {
    double rs = 0, rm = 0, abs_sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[r * n + i];
      rs += v;
      rm += static_cast<float>(v / count);
      abs_sum += std::fabs(v);
    }
    // the float rounding of either double sum, plus their possible double-rounding gap
    const double tol_s = 6e-8 * std::fabs(rs) + 4.0 * n * 1.2e-16 * abs_sum;
    const double tol_m = 6e-8 * std::fabs(rm) + 4.0 * n * 1.2e-16 * abs_sum / n;
    if (std::fabs(s[r] - rs) > tol_s || std::fabs(m[r] - rm) > tol_m) {
      ++bad;
      printf("%s (n %lld row %lld): sum %.9g/%.9g mean %.9g/%.9g\n", what, static_cast<long long>(n), static_cast<long long>(r), s[r], rs, m[r], rm);
    }
  }
}
}  // namespace

int main() {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  // long rows take the chunked path (>= 65536), short ones the row path; odd lengths leave tails
  const int64_t lengths[] = {1, 3, 15, 16, 17, 31, 33, 1000, 65535, 65536, 200003, 1 << 20};
  for (const int64_t n : lengths) {
    for (const int64_t rows : {int64_t(1), int64_t(3)}) {
      std::vector<float> x(n * rows);
      for (auto& v : x) v = u(rng);
      check_extremes("uniform", x, rows);
      check_sums("uniform", x, rows);
      // large values of mixed sign: cancellation, so the sum's error is relative to sum|x|
      for (auto& v : x) v = u(rng) * 3e5f;
      check_sums("wide", x, rows);
      // the extreme in the first element, in the middle (some lane), in the tail
      for (const int64_t at : {int64_t(0), n / 2, n - 1}) {
        for (auto& v : x) v = u(rng);
        for (int64_t r = 0; r < rows; ++r) x[r * n + at] = 5.f, x[r * n + (at + 1) % n] = -5.f;
        check_extremes("extreme placed", x, rows);
      }
      // NaN at the start, in a lane, in the tail; infinities without NaN; both
      for (const int64_t at : {int64_t(0), n / 3, n - 1}) {
        for (auto& v : x) v = u(rng);
        x[at] = kNaN;
        check_extremes("nan", x, rows);
        x[at] = kInf;
        check_extremes("+inf", x, rows);
        x[at] = -kInf;
        x[(at + n / 2) % x.size()] = kInf;
        check_extremes("-inf and +inf", x, rows);
        x[(at + 1) % x.size()] = kNaN;
        check_extremes("inf and nan", x, rows);
      }
      // zero ties: the first zero's sign wins, as in the index-order loop
      for (const float first : {-0.f, 0.f}) {
        for (auto& v : x) v = -std::fabs(u(rng)) - 0.5f;
        for (int64_t r = 0; r < rows; ++r) x[r * n + (n - 1) / 2] = first, x[r * n + n - 1] = -first;
        check_extremes("zero ties (max)", x, rows);
        for (auto& v : x) v = -v;
        for (int64_t r = 0; r < rows; ++r) x[r * n + (n - 1) / 2] = first, x[r * n + n - 1] = -first;
        check_extremes("zero ties (min)", x, rows);
        std::fill(x.begin(), x.end(), -first);
        x[0] = first;
        check_extremes("all zeros", x, rows);
        if (n > 16) {
          // the later zero in a lower lane (16 = lane 0) than the earlier one (1 = lane 1)
          for (auto& v : x) v = -std::fabs(u(rng)) - 0.5f;
          for (int64_t r = 0; r < rows; ++r) x[r * n + 1] = first, x[r * n + 16] = -first;
          check_extremes("zero ties across lanes", x, rows);
        }
      }
    }
  }
  // thread-count independence of the chunked sums (the order is fixed by the chunks)
  {
    const int64_t n = 3072 * 512 + 7;
    std::vector<float> x(n);
    for (auto& v : x) v = u(rng) * 100.f;
    float first[4] = {};
    for (int threads = 1; threads <= 3; ++threads) {
      ThreadPool::resize_global(threads);
      float got[4];
      reduce(ReduceOp::Sum, x.data(), 1, n, 1, &got[0]);
      reduce(ReduceOp::Mean, x.data(), 1, n, 1, &got[1]);
      reduce(ReduceOp::Max, x.data(), 1, n, 1, &got[2]);
      reduce(ReduceOp::Min, x.data(), 1, n, 1, &got[3]);
      if (threads == 1) std::memcpy(first, got, sizeof got);
      for (int k = 0; k < 4; ++k)
        if (!same_bits(got[k], first[k])) {
          ++bad;
          printf("op %d on %d threads: %.9g vs %.9g on 1\n", k, threads, got[k], first[k]);
        }
    }
    ThreadPool::resize_global(0);
  }
  // global_norm against a long-double reference: within a few float ulps (the double sums
  // differ from it by ~n 2^-53 relative, far below the final rounding to float), on 1-3 threads
  // bit for bit; tensors of odd sizes, one empty, one long enough to be chunked
  {
    const std::vector<int64_t> sizes = {3072 * 512, 512, 0, 512 * 512 + 3, 10, 1};
    std::vector<std::vector<float>> xs;
    for (const int64_t n : sizes) {
      std::vector<float> x(n);
      for (auto& v : x) v = u(rng) * 0.01f;
      xs.push_back(x);
    }
    std::vector<const float*> ptrs;
    for (auto& x : xs) ptrs.push_back(x.data());
    const int count = static_cast<int>(sizes.size());
    long double ref = 0;
    for (auto& x : xs)
      for (const float v : x) ref += static_cast<long double>(v) * v;
    const float want = static_cast<float>(std::sqrt(ref));
    float first = 0;
    for (int threads = 1; threads <= 3; ++threads) {
      ThreadPool::resize_global(threads);
      const float got = global_norm(ptrs.data(), sizes.data(), count);
      if (threads == 1) first = got;
      if (std::fabs(got - want) > 2.4e-7f * want || !same_bits(got, first)) {
        ++bad;
        printf("global_norm on %d threads: %.9g, reference %.9g, 1 thread %.9g\n", threads, got, want, first);
      }
    }
    ThreadPool::resize_global(0);
    // squares that overflow float (and ones that underflow it) stay exact in double
    std::vector<float> big = {3e19f, -4e19f}, tiny = {3e-30f, 4e-30f};
    const float* pb[] = {big.data(), tiny.data()};
    const int64_t nb[] = {2, 2};
    const float gb = global_norm(pb, nb, 1), gt = global_norm(pb + 1, nb + 1, 1);
    if (std::fabs(gb - 5e19f) > 1e13f || std::fabs(gt - 5e-30f) > 1e-36f) {
      ++bad;
      printf("global_norm of 3e19, -4e19: %g; of 3e-30, 4e-30: %g\n", gb, gt);
    }
    // beyond the float range: infinite; an infinite or NaN element: NaN
    std::vector<float> huge(4, 3e38f);
    const float* ph[] = {huge.data()};
    const int64_t nh[] = {4};
    if (!std::isinf(global_norm(ph, nh, 1))) ++bad, printf("global_norm beyond the float range should be inf\n");
    for (const float special : {kInf, -kInf, kNaN}) {
      xs[3][1000] = special;
      if (!std::isnan(global_norm(ptrs.data(), sizes.data(), count))) ++bad, printf("global_norm with %g should be NaN\n", special);
    }
  }
  printf("reduce full: %s (%d mismatches)\n", bad ? "FAIL" : "ok", bad);
  return bad != 0;
}
