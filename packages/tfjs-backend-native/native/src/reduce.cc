#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "threadpool.h"

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
  float acc = x[0];
  if (op == ReduceOp::Max) {
    for (int64_t i = 1; i < n; ++i) acc = combine_max(acc, x[i]);
  } else {
    for (int64_t i = 1; i < n; ++i) acc = combine_min(acc, x[i]);
  }
  return acc;
}
}  // namespace

void reduce(ReduceOp op, const float* x, int64_t outer, int64_t reduce_size, int64_t inner, float* out) {
  if (outer * inner == 0) return;
  if (inner == 1 && outer < 4 && reduce_size >= 2 * kFlatChunk) {
    // A few long rows (a full reduction, e.g. a gradient norm): fixed-size chunks of each
    // row reduced in parallel, then combined in chunk order (thread-count independent).
    const int64_t chunks = (reduce_size + kFlatChunk - 1) / kFlatChunk;
    std::vector<double> sums(static_cast<size_t>(outer * chunks));
    std::vector<float> extrema(static_cast<size_t>(outer * chunks));
    const float count = static_cast<float>(reduce_size);
    parallel_for(outer * chunks, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t o = t / chunks, c = t % chunks;
        const float* xr = x + o * reduce_size + c * kFlatChunk;
        const int64_t n = std::min(kFlatChunk, reduce_size - c * kFlatChunk);
        if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
          double acc = 0.0;
          if (op == ReduceOp::Sum) {
            for (int64_t i = 0; i < n; ++i) acc += xr[i];
          } else {
            for (int64_t i = 0; i < n; ++i) acc += static_cast<float>(xr[i] / count);
          }
          sums[static_cast<size_t>(t)] = acc;
        } else {
          extrema[static_cast<size_t>(t)] = reduce_row(op, xr, n);
        }
      }
    });
    for (int64_t o = 0; o < outer; ++o) {
      if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
        double acc = 0.0;
        for (int64_t c = 0; c < chunks; ++c) acc += sums[static_cast<size_t>(o * chunks + c)];
        out[o] = static_cast<float>(acc);
      } else {
        float acc = extrema[static_cast<size_t>(o * chunks)];
        for (int64_t c = 1; c < chunks; ++c) {
          const float v = extrema[static_cast<size_t>(o * chunks + c)];
          acc = op == ReduceOp::Max ? combine_max(acc, v) : combine_min(acc, v);
        }
        out[o] = acc;
      }
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

}  // namespace samlab
