#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "threadpool.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace samlab {

namespace {
constexpr int64_t kInnerBlock = 512;
constexpr int64_t kRowChunk = 4096;
constexpr int64_t kFlatChunk = 1 << 15;

inline float combine_max(float acc, float v) { return (v != v || v > acc) ? v : acc; }
inline float combine_min(float acc, float v) { return (v != v || v < acc) ? v : acc; }

// One (outer, inner-block) cell: accumulators across the inner block, rows in order.
void reduce_cell(ReduceOp op, const float* x, int64_t reduce_size, int64_t inner, int64_t j0, int64_t j1, float* out) {
  const int64_t n = j1 - j0;
  if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
    double acc[kInnerBlock];
    for (int64_t j = 0; j < n; ++j) acc[j] = 0.0;
    if (op == ReduceOp::Sum) {
      for (int64_t r = 0; r < reduce_size; ++r) {
        const float* xr = x + r * inner + j0;
        for (int64_t j = 0; j < n; ++j) acc[j] += xr[j];
      }
    } else {
      // tfjs's mean divides each element by the count (in float) before summing.
      const float count = static_cast<float>(reduce_size);
      for (int64_t r = 0; r < reduce_size; ++r) {
        const float* xr = x + r * inner + j0;
        for (int64_t j = 0; j < n; ++j) acc[j] += static_cast<float>(xr[j] / count);
      }
    }
    for (int64_t j = 0; j < n; ++j) out[j0 + j] = static_cast<float>(acc[j]);
    return;
  }
  float acc[kInnerBlock];
  if (reduce_size == 0) {
    // tfjs reads past the end here (undefined -> NaN); we give NaN too.
    for (int64_t j = 0; j < n; ++j) out[j0 + j] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  for (int64_t j = 0; j < n; ++j) acc[j] = x[j0 + j];
  for (int64_t r = 1; r < reduce_size; ++r) {
    const float* xr = x + r * inner + j0;
    if (op == ReduceOp::Max) {
      for (int64_t j = 0; j < n; ++j) acc[j] = combine_max(acc[j], xr[j]);
    } else {
      for (int64_t j = 0; j < n; ++j) acc[j] = combine_min(acc[j], xr[j]);
    }
  }
  for (int64_t j = 0; j < n; ++j) out[j0 + j] = acc[j];
}

// One chunk of a full reduction, in kLanes interleaved accumulators (lane l takes
// elements l, l + kLanes, ...; the lanes are then added pairwise in a fixed tree), so
// the loop vectorises where one serial double chain would wait on every add; the order
// depends only on the chunk, never on the thread count.
constexpr int kLanes = 16;

double lane_tree(double* lanes) {
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) lanes[l] += lanes[l + w];
  return lanes[0];
}

// What a sum adds per element: x, x / count rounded to float (tfjs's mean), or x^2 in double.
enum class Term { Value, OverCount, Square };

template <Term T>
inline double term(float v, float count) {
  if constexpr (T == Term::OverCount) return static_cast<float>(v / count);
  if constexpr (T == Term::Square) return static_cast<double>(v) * v;
  return v;
}

// The sum of term(x[i]) over x[0, n).
template <Term T>
double sum_chunk(const float* x, int64_t n, float count) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lanes[l] += term<T>(x[i + l], count);
  for (int l = 0; i < n; ++i, ++l) lanes[l] += term<T>(x[i], count);
  return lane_tree(lanes);
}

// Max or min of x[0, n), n >= 1, as the index-order combine_max/min gives it. The lanes
// compare only (that vectorises); `probe` turns NaN once a NaN or an infinity passes
// (v * 0), and then, or when the result is a zero (-0 and 0 compare equal, the first
// wins), the chunk is scanned again in index order: rare, and exact either way.
// The sum of T's terms over x[0, n): fixed kFlatChunk chunks summed in parallel, added in chunk
// order (independent of the thread count).
template <Term T>
double chunked_sum(const float* x, int64_t n, float count) {
  const int64_t chunks = (n + kFlatChunk - 1) / kFlatChunk;
  if (chunks <= 1) return sum_chunk<T>(x, n, count);
  std::vector<double> sums(static_cast<size_t>(chunks));
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c)
      sums[static_cast<size_t>(c)] = sum_chunk<T>(x + c * kFlatChunk, std::min(kFlatChunk, n - c * kFlatChunk), count);
  });
  double acc = 0.0;
  for (const double v : sums) acc += v;
  return acc;
}

template <ReduceOp Op>
float extreme_chunk(const float* x, int64_t n) {
  const auto in_order = [&] {
    float acc = x[0];
    for (int64_t i = 1; i < n; ++i) acc = Op == ReduceOp::Max ? combine_max(acc, x[i]) : combine_min(acc, x[i]);
    return acc;
  };
  if (n < kLanes) return in_order();
  alignas(16) float lanes[kLanes], probe[kLanes] = {};
  for (int l = 0; l < kLanes; ++l) lanes[l] = x[l];
  int64_t i = 0;
#if defined(__SSE2__)
  // gcc leaves the portable loop below scalar; maxps/minps(v, lane) is its `v > lane ? v : lane`
  __m128 m[kLanes / 4], p[kLanes / 4];
  for (int q = 0; q < kLanes / 4; ++q) m[q] = _mm_load_ps(lanes + 4 * q), p[q] = _mm_setzero_ps();
  const __m128 zero = _mm_setzero_ps();
  for (; i + kLanes <= n; i += kLanes)
    for (int q = 0; q < kLanes / 4; ++q) {
      const __m128 v = _mm_loadu_ps(x + i + 4 * q);
      p[q] = _mm_add_ps(p[q], _mm_mul_ps(v, zero));
      m[q] = Op == ReduceOp::Max ? _mm_max_ps(v, m[q]) : _mm_min_ps(v, m[q]);
    }
  for (int q = 0; q < kLanes / 4; ++q) _mm_store_ps(lanes + 4 * q, m[q]), _mm_store_ps(probe + 4 * q, p[q]);
#endif
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const float v = x[i + l];
      probe[l] += v * 0.f;
      lanes[l] = (Op == ReduceOp::Max ? v > lanes[l] : v < lanes[l]) ? v : lanes[l];
    }
  float acc = lanes[0], sentinel = 0.f;
  for (int l = 0; l < kLanes; ++l) {
    sentinel += probe[l];
    acc = (Op == ReduceOp::Max ? lanes[l] > acc : lanes[l] < acc) ? lanes[l] : acc;
  }
  for (; i < n; ++i) {
    sentinel += x[i] * 0.f;
    acc = (Op == ReduceOp::Max ? x[i] > acc : x[i] < acc) ? x[i] : acc;
  }
  return sentinel != 0.f || acc == 0.f ? in_order() : acc;
}

// inner == 1: each output reduces a contiguous row.
float reduce_row(ReduceOp op, const float* x, int64_t n) {
  if (op == ReduceOp::Sum) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += x[i];
    return static_cast<float>(s);
  }
  if (op == ReduceOp::Mean) {
    const float count = static_cast<float>(n);
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<float>(x[i] / count);
    return static_cast<float>(s);
  }
  if (n == 0) return std::numeric_limits<float>::quiet_NaN();
  return op == ReduceOp::Max ? extreme_chunk<ReduceOp::Max>(x, n) : extreme_chunk<ReduceOp::Min>(x, n);
}
}  // namespace

void reduce(ReduceOp op, const float* x, int64_t outer, int64_t reduce_size, int64_t inner, float* out) {
  if (outer * inner == 0) return;
  if (inner == 1 && outer < 4 && reduce_size >= 2 * kFlatChunk) {
    // A few long rows (a full reduction, e.g. a gradient norm): fixed-size chunks of each
    // row reduced in parallel, then combined in chunk order (thread-count independent).
    if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
      const float count = static_cast<float>(reduce_size);
      for (int64_t o = 0; o < outer; ++o) {
        const float* xr = x + o * reduce_size;
        out[o] = static_cast<float>(op == ReduceOp::Sum ? chunked_sum<Term::Value>(xr, reduce_size, count)
                                                        : chunked_sum<Term::OverCount>(xr, reduce_size, count));
      }
      return;
    }
    const int64_t chunks = (reduce_size + kFlatChunk - 1) / kFlatChunk;
    std::vector<float> extrema(static_cast<size_t>(outer * chunks));
    parallel_for(outer * chunks, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t o = t / chunks, c = t % chunks;
        extrema[static_cast<size_t>(t)] = reduce_row(op, x + o * reduce_size + c * kFlatChunk, std::min(kFlatChunk, reduce_size - c * kFlatChunk));
      }
    });
    for (int64_t o = 0; o < outer; ++o) {
      float acc = extrema[static_cast<size_t>(o * chunks)];
      for (int64_t c = 1; c < chunks; ++c) {
        const float v = extrema[static_cast<size_t>(o * chunks + c)];
        acc = op == ReduceOp::Max ? combine_max(acc, v) : combine_min(acc, v);
      }
      out[o] = acc;
    }
    return;
  }
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(reduce_size, 1)), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) out[o] = reduce_row(op, x + o * reduce_size, reduce_size);
    });
    return;
  }
  const int64_t blocks = (inner + kInnerBlock - 1) / kInnerBlock;
  const int64_t cells = outer * blocks;
  if ((op == ReduceOp::Sum || op == ReduceOp::Mean) && cells == 1 && reduce_size >= 2 * kRowChunk &&
      reduce_size * inner >= (int64_t(1) << 18)) {
    // One tall column block (a bias gradient over every pixel): double partial sums over
    // fixed row chunks in parallel, added in chunk order (independent of the thread count).
    const int64_t chunks = (reduce_size + kRowChunk - 1) / kRowChunk;
    std::vector<double> partial(static_cast<size_t>(chunks * inner), 0.0);
    const float count = static_cast<float>(reduce_size);
    parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        double* acc = partial.data() + c * inner;
        const int64_t r1 = std::min(reduce_size, (c + 1) * kRowChunk);
        for (int64_t r = c * kRowChunk; r < r1; ++r) {
          const float* xr = x + r * inner;
          if (op == ReduceOp::Sum) {
            for (int64_t j = 0; j < inner; ++j) acc[j] += xr[j];
          } else {
            for (int64_t j = 0; j < inner; ++j) acc[j] += static_cast<float>(xr[j] / count);
          }
        }
      }
    });
    for (int64_t j = 0; j < inner; ++j) {
      double s = 0.0;
      for (int64_t c = 0; c < chunks; ++c) s += partial[static_cast<size_t>(c * inner + j)];
      out[j] = static_cast<float>(s);
    }
    return;
  }
  const int64_t per_cell = reduce_size * std::min(inner, kInnerBlock);
  parallel_for(cells, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(per_cell, 1)), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t o = c / blocks, blk = c % blocks;
      const int64_t j0 = blk * kInnerBlock, j1 = std::min(inner, j0 + kInnerBlock);
      reduce_cell(op, x + o * reduce_size * inner, reduce_size, inner, j0, j1, out + o * inner);
    }
  });
}

double sum_of_squares(const float* x, int64_t n) { return chunked_sum<Term::Square>(x, n, 1.f); }

float global_norm(const float* const* xs, const int64_t* sizes, int count) {
  double acc = 0.0;
  for (int t = 0; t < count; ++t) acc += sum_of_squares(xs[t], sizes[t]);
  // a square of a finite float is finite in double (and so is any sum of fewer than 2^700 of
  // them): a non-finite sum means an infinite or NaN element
  if (!std::isfinite(acc)) return std::numeric_limits<float>::quiet_NaN();
  return static_cast<float>(std::sqrt(acc));
}

}  // namespace samlab
