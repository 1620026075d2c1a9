// Element-wise kernels with NumPy broadcasting, matching tfjs's cpu semantics
// (NaN propagation of Math.max/min, relu(NaN) = NaN, step(NaN) = NaN, comparisons with
// NaN false). Bool tensors are bytes, as tfjs stores them (a Uint8Array of 0 and 1).
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

// Float32 comparisons to a bool byte, as tfjs's cpu backend computes them: false when
// either operand is NaN, except NotEqual (true); -0 equals 0.
enum class CompareOp : int { Greater = 0, GreaterEqual, Less, LessEqual, Equal, NotEqual };
// JavaScript's `a && b` and `a || b` on bool bytes (tfjs's LogicalAnd, LogicalOr).
enum class LogicalOp : int { And = 0, Or };
// Element types of cast: float32, int32, and bool (one byte per element).
enum class DType : int { Float32 = 0, Int32, Bool };

// out[i...] = a[...] op b[...] over a `rank`-dimensional output `shape`, where
// a_strides/b_strides give each operand's element stride per output dimension
// (0 where that operand is broadcast). rank <= 8.
void binary_broadcast(BinaryOp op, int rank, const int64_t* shape, const float* a, const int64_t* a_strides,
                      const float* b, const int64_t* b_strides, float* out);

// The same broadcast walk for comparisons (float32 in, bool out) and logical ops (bool in,
// bool out).
void compare_broadcast(CompareOp op, int rank, const int64_t* shape, const float* a, const int64_t* a_strides,
                       const float* b, const int64_t* b_strides, uint8_t* out);
void logical_broadcast(LogicalOp op, int rank, const int64_t* shape, const uint8_t* a, const int64_t* a_strides,
                       const uint8_t* b, const int64_t* b_strides, uint8_t* out);

// out = x ? 0 : 1 (tfjs's LogicalNot).
void logical_not(const uint8_t* x, uint8_t* out, int64_t n);

// out = condition == 1 ? t : e, element by element (tfjs's Select: only a byte of exactly 1
// picks t).
void select(const uint8_t* condition, const float* t, const float* e, float* out, int64_t n);

// Converts n elements of type `from` at x to type `to` at out, as tfjs's cpu Cast does:
// to int32 as JavaScript's ToInt32 (truncation, NaN and infinities 0, wrapping modulo 2^32),
// to bool as x != 0 (NaN is true), to float32 rounding to nearest. Returns the number of
// int32 values that float32 does not hold exactly (the cpu backend keeps those exact, so a
// caller may prefer its result), 0 for every other conversion.
int64_t cast(DType from, DType to, const void* x, void* out, int64_t n);

void unary(UnaryOp op, float param, const float* x, float* out, int64_t n);

// In place on y[rows x cols]: y = act(y + bias), bias of length `cols` (per column),
// 1 (a scalar) or 0 (no bias).
void bias_activation(float* y, int64_t rows, int64_t cols, const float* bias, int64_t bias_len, UnaryOp act,
                     float param);

// out = sum of `count` arrays of length n.
void add_n(const float* const* inputs, int count, float* out, int64_t n);

// out = a + b * s, elementwise: the product rounded to float, then the sum (never a fused
// multiply-add), so bit for bit tfjs's add(a, mul(b, s)) in one pass instead of two.
void scaled_add(const float* a, const float* b, float s, float* out, int64_t n);

// One step of torch.optim.SGD (dampening 0) over n elements, in one pass where samlab's chain
// of ops (weight decay, momentum, learning rate, apply) takes four, with the same roundings:
// d = g + w * weight_decay (when has_decay); t' = d + t * momentum (when t is given, else
// t' = d); u = nesterov ? d + t' * momentum : t'; w' = w + u * neg_lr. t and t_out are both
// given or both null.
struct SgdStepOptions {
  float neg_lr;
  bool has_decay;
  float weight_decay;
  float momentum;
  bool nesterov;
};
void sgd_step(const SgdStepOptions& o, const float* w, const float* g, const float* t, float* w_out, float* t_out, int64_t n);

}  // namespace samlab
