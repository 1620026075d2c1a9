// Element-wise float32 kernels with NumPy broadcasting, matching tfjs's cpu semantics
// (NaN propagation of Math.max/min, relu(NaN) = NaN, step(NaN) = NaN).
#pragma once

#include <cstdint>

namespace samlab {

enum class BinaryOp : int { Add = 0, Sub, Mul, Div, Max, Min, SquaredDifference };
enum class UnaryOp : int {
  Relu = 0,
  Relu6,
  LeakyRelu,  // param = alpha
  Step,       // param = alpha (the value for x <= 0)
  Neg,
  Abs,
  Square,
  Sqrt,
  Rsqrt,
  Exp,
  Log,
  Sigmoid,
  Tanh,
  Elu,
  Reciprocal,
  Linear,
  Count
};

// out[i...] = a[...] op b[...] over a `rank`-dimensional output `shape`, where
// a_strides/b_strides give each operand's element stride per output dimension
// (0 where that operand is broadcast). rank <= 8.
void binary_broadcast(BinaryOp op, int rank, const int64_t* shape, const float* a, const int64_t* a_strides,
                      const float* b, const int64_t* b_strides, float* out);

void unary(UnaryOp op, float param, const float* x, float* out, int64_t n);

// In place on y[rows x cols]: y = act(y + bias), bias of length `cols` (per column),
// 1 (a scalar) or 0 (no bias).
void bias_activation(float* y, int64_t rows, int64_t cols, const float* bias, int64_t bias_len, UnaryOp act,
                     float param);

// out = sum of `count` arrays of length n.
void add_n(const float* const* inputs, int count, float* out, int64_t n);

}  // namespace samlab
