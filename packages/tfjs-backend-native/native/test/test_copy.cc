// Slice, pad, concat and split against element-by-element references: random ranks 1 to 6
// (sizes 0 included), 4-byte and 1-byte elements, nonzero pad values, and large copies run on
// 1 and 4 threads giving the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../src/copy.h"
#include "../src/threadpool.h"
using namespace samlab;

namespace {
std::mt19937 rng(11);
int bad = 0;

int64_t below(int64_t n) { return n <= 0 ? 0 : std::uniform_int_distribution<int64_t>(0, n - 1)(rng); }

int64_t volume(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Flat row-major index of `at` in `shape`.
int64_t flat(const std::vector<int64_t>& shape, const std::vector<int64_t>& at) {
  int64_t i = 0;
  for (size_t d = 0; d < shape.size(); ++d) i = i * shape[d] + at[d];
  return i;
}

// Calls f(index) for every index of `shape` in row-major order.
template <typename F>
void each_index(const std::vector<int64_t>& shape, F f) {
  if (volume(shape) == 0) return;
  std::vector<int64_t> at(shape.size(), 0);
  for (;;) {
    f(at);
    int d = static_cast<int>(shape.size()) - 1;
    while (d >= 0 && ++at[d] == shape[d]) at[d--] = 0;
    if (d < 0) return;
  }
}

// Element values as T: distinct (modulo 256 for bytes) and never the pad value.
template <typename T>
std::vector<T> values(int64_t n) {
  std::vector<T> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<T>(i % 200 + 1);
  return v;
}

template <typename T>
void expect_equal(const std::vector<T>& got, const std::vector<T>& want, const char* what, int trial) {
  if (got.size() != want.size() || (!got.empty() && std::memcmp(got.data(), want.data(), got.size() * sizeof(T)) != 0)) {
    if (++bad < 10) printf("%s mismatch (trial %d, %zu bytes per element)\n", what, trial, sizeof(T));
  }
}

std::vector<int64_t> random_shape(int rank, int64_t max_dim) {
  std::vector<int64_t> s(rank);
  for (auto& d : s) d = below(max_dim + 1);
  return s;
}

template <typename T>
void check_slice(const std::vector<int64_t>& shape, const std::vector<int64_t>& begin, const std::vector<int64_t>& size,
                 int trial) {
  const auto x = values<T>(volume(shape));
  std::vector<T> out(static_cast<size_t>(volume(size)), T(0)), want(out.size());
  slice(static_cast<int>(shape.size()), shape.data(), begin.data(), size.data(), x.data(), out.data(), sizeof(T));
  each_index(size, [&](const std::vector<int64_t>& at) {
    std::vector<int64_t> src(at);
    for (size_t d = 0; d < at.size(); ++d) src[d] += begin[d];
    want[flat(size, at)] = x[flat(shape, src)];
  });
  expect_equal(out, want, "slice", trial);
}

template <typename T>
void check_pad(const std::vector<int64_t>& shape, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
               T value, int trial) {
  std::vector<int64_t> out_shape(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) out_shape[d] = before[d] + shape[d] + after[d];
  const auto x = values<T>(volume(shape));
  std::vector<T> out(static_cast<size_t>(volume(out_shape)), T(0)), want(out.size(), value);
  pad(static_cast<int>(shape.size()), shape.data(), before.data(), after.data(), x.data(), out.data(), sizeof(T), &value);
  each_index(shape, [&](const std::vector<int64_t>& at) {
    std::vector<int64_t> dst(at);
    for (size_t d = 0; d < at.size(); ++d) dst[d] += before[d];
    want[flat(out_shape, dst)] = x[flat(shape, at)];
  });
  expect_equal(out, want, "pad", trial);
}

template <typename T>
void check_concat_split(int64_t outer, int64_t inner, const std::vector<int64_t>& sizes, int trial) {
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  const Parts p{outer, inner, sizes.data(), static_cast<int>(sizes.size())};
  std::vector<std::vector<T>> parts;
  std::vector<const void*> in;
  for (size_t i = 0; i < sizes.size(); ++i) {
    parts.push_back(values<T>(outer * sizes[i] * inner));
    for (auto& v : parts.back()) v = static_cast<T>(v + 13 * i);
    in.push_back(parts.back().data());
  }
  std::vector<T> whole(static_cast<size_t>(outer * total * inner), T(0)), want(whole.size());
  concat(p, in.data(), whole.data(), sizeof(T));
  int64_t column = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const int64_t width = sizes[i] * inner;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < width; ++c) want[o * total * inner + column + c] = parts[i][o * width + c];
    column += width;
  }
  expect_equal(whole, want, "concat", trial);
  std::vector<std::vector<T>> pieces;
  std::vector<void*> out;
  for (size_t i = 0; i < sizes.size(); ++i) {
    pieces.emplace_back(parts[i].size(), T(0));
    out.push_back(pieces.back().data());
  }
  split(p, whole.data(), out.data(), sizeof(T));
  for (size_t i = 0; i < sizes.size(); ++i) expect_equal(pieces[i], parts[i], "split", trial);
}

void random_trials() {
  for (int trial = 0; trial < 400; ++trial) {
    const int rank = 1 + static_cast<int>(below(6));
    const auto shape = random_shape(rank, 6);
    std::vector<int64_t> begin(rank), size(rank), before(rank), after(rank);
    for (int d = 0; d < rank; ++d) {
      begin[d] = below(shape[d] + 1);  // up to the far end (an empty slice there)
      size[d] = below(shape[d] - begin[d] + 1);
      before[d] = below(3);
      after[d] = below(3);
    }
    check_slice<float>(shape, begin, size, trial);
    check_slice<uint8_t>(shape, begin, size, trial);
    check_pad<float>(shape, before, after, -2.5f, trial);
    check_pad<int32_t>(shape, before, after, 0x01020304, trial);
    check_pad<uint8_t>(shape, before, after, uint8_t(7), trial);
    std::vector<int64_t> sizes(1 + below(5));
    for (auto& s : sizes) s = below(4);
    check_concat_split<float>(below(5), 1 + below(6), sizes, trial);
    check_concat_split<uint8_t>(below(5), 1 + below(6), sizes, trial);
  }
}

// The CNN's shapes, large enough to be split over the pool: the same bytes on 1 and 4 threads.
void thread_count_independence() {
  for (const int threads : {1, 4}) {
    ThreadPool::resize_global(threads);
    check_slice<float>({128, 18, 18, 32}, {0, 1, 2, 0}, {128, 16, 16, 32}, 1000 + threads);
    check_slice<float>({2, 3, 16, 16, 8, 4}, {1, 0, 0, 0, 5, 0}, {1, 3, 16, 16, 1, 4}, 1000 + threads);
    check_pad<float>({128, 16, 16, 32}, {0, 1, 1, 0}, {0, 1, 1, 0}, 0.f, 1000 + threads);
    check_pad<float>({64, 8, 8, 64}, {1, 1, 2, 0}, {0, 1, 1, 3}, 1.5f, 1000 + threads);
    check_concat_split<float>(128 * 16 * 16, 1, std::vector<int64_t>(9, 32), 1000 + threads);
    check_concat_split<float>(64 * 8 * 8, 1, {576, 1, 0, 63}, 1000 + threads);
  }
  ThreadPool::resize_global(0);
}
}  // namespace

int main() {
  random_trials();
  thread_count_independence();
  printf("%s (%d mismatches)\n", bad ? "FAIL" : "ok", bad);
  return bad != 0;
}
