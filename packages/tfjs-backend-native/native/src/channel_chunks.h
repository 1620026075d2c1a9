// How the per-channel kernels (batch_norm.cc, bias_relu.cc) split a [rows, channels] tensor
// over the thread pool. Sums accumulate in double over fixed row chunks added in chunk order,
// so their rounding depends on the shape only, never on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "threadpool.h"

namespace samlab::channel_chunks {

// Element-wise passes below this many elements stay on the caller (as elementwise.cc).
constexpr int64_t kGrain = 1 << 17;
// Reductions sum fixed chunks of about this many elements into double partials.
constexpr int64_t kChunk = 1 << 14;

inline int64_t chunk_rows(int64_t channels) { return std::max<int64_t>(1, kChunk / std::max<int64_t>(channels, 1)); }

// Sums body(r0, r1, s1, s2) over fixed row chunks in parallel, then adds the chunks' partials
// in chunk order into t1, t2 (length channels).
template <typename Body>
void chunked_sums(int64_t rows, int64_t channels, Body&& body, std::vector<double>& t1, std::vector<double>& t2) {
  const int64_t per = chunk_rows(channels);
  const int64_t chunks = (rows + per - 1) / per;
  const size_t c = static_cast<size_t>(channels);
  std::vector<double> p1(static_cast<size_t>(chunks) * c), p2(static_cast<size_t>(chunks) * c);
  const int64_t grain = std::max<int64_t>(1, kGrain / (per * channels));
  parallel_for(chunks, grain, [&](int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; ++k) {
      const size_t at = static_cast<size_t>(k) * c;
      body(k * per, std::min(rows, (k + 1) * per), p1.data() + at, p2.data() + at);
    }
  });
  t1.assign(c, 0.0);
  t2.assign(c, 0.0);
  for (int64_t k = 0; k < chunks; ++k) {
    const size_t at = static_cast<size_t>(k) * c;
    for (size_t j = 0; j < c; ++j) {
      t1[j] += p1[at + j];
      t2[j] += p2[at + j];
    }
  }
}

// body(r0, r1) over row ranges of about kGrain elements each.
template <typename Body>
void parallel_rows(int64_t rows, int64_t channels, Body&& body) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(channels, 1)), body);
}

}  // namespace samlab::channel_chunks
