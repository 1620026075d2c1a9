// Reductions over the middle axis of an [outer, reduce, inner] view (any contiguous
// block of axes of a row-major tensor), with tfjs's cpu semantics: sums accumulate in
// double in index order (bit-identical to tfjs's JavaScript loop), except full reductions
// of long rows (fixed chunks, each in 16 interleaved double lanes, combined in a fixed
// order: independent of the thread count, within double rounding of the index-order sum);
// max/min propagate NaN and are exact.
#pragma once

#include <cstdint>

namespace samlab {

enum class ReduceOp : int { Sum = 0, Max, Min, Mean };

// out[o, j] = reduce over r of x[o, r, j]; out has outer*inner elements.
void reduce(ReduceOp op, const float* x, int64_t outer, int64_t reduce_size, int64_t inner, float* out);

// The sum of x[i]^2 over x[0, n), squares and sums in double (no overflow or underflow for
// float inputs), in the full reductions' fixed chunks and lanes (independent of the thread count).
double sum_of_squares(const float* x, int64_t n);

// The L2 norm of `count` arrays together (xs[t] has sizes[t] elements): the square root of
// their sums of squares added in array order, rounded once to float (infinite only when the
// norm exceeds the float range); NaN when any element is NaN or infinite.
float global_norm(const float* const* xs, const int64_t* sizes, int count);

}  // namespace samlab
