#include "elementwise.h"

#include <algorithm>
#include <array>
#include <utility>
#include <cmath>
#include <cstring>
#include <limits>

#include "threadpool.h"

namespace samlab {

namespace {
// Below this many elements a cheap element-wise op stays on the caller: waking a pool
// thread (tens of microseconds when it sleeps) costs more than the loop.
constexpr int64_t kGrain = 1 << 17;

template <BinaryOp Op>
inline float apply_binary(float a, float b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  if constexpr (Op == BinaryOp::Sub) return a - b;
  if constexpr (Op == BinaryOp::Mul) return a * b;
  if constexpr (Op == BinaryOp::Div) return a / b;
  if constexpr (Op == BinaryOp::Max) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a > b ? a : b);
  if constexpr (Op == BinaryOp::Min) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a < b ? a : b);
  if constexpr (Op == BinaryOp::SquaredDifference) {
    const float d = a - b;
    return d * d;
  }
  return 0.f;
}

// The innermost dimension, specialised on the stride pattern so the common cases
// (same shape, broadcast row, broadcast scalar) vectorise.
template <BinaryOp Op>
inline void binary_row(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary<Op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary<Op>(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary<Op>(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary<Op>(a[i * sa], b[i * sb]);
  }
}

template <BinaryOp Op>
void binary_impl(int rank, const int64_t* shape, const float* a, const int64_t* as, const float* b, const int64_t* bs,
                 float* out) {
  if (rank == 0) {
    out[0] = apply_binary<Op>(a[0], b[0]);
    return;
  }
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= shape[d];
  const int64_t total = rows * inner;
  if (total == 0) return;
  parallel_for(total, kGrain, [&](int64_t begin, int64_t end) {
    int64_t row = begin / inner;
    int64_t col = begin % inner;
    int64_t pos = begin;
    while (pos < end) {
      // Offsets of this row in a and b from its multi-index.
      int64_t rem = row, ao = 0, bo = 0;
      for (int d = rank - 2; d >= 0; --d) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        ao += idx * as[d];
        bo += idx * bs[d];
      }
      const int64_t n = std::min(inner - col, end - pos);
      const int64_t sa = as[rank - 1], sb = bs[rank - 1];
      binary_row<Op>(a + ao + col * sa, sa, b + bo + col * sb, sb, out + pos, n);
      pos += n;
      col = 0;
      ++row;
    }
  });
}

template <UnaryOp Op>
inline float apply_unary(float x, float p) {
  if constexpr (Op == UnaryOp::Relu) return x < 0.f ? 0.f : x;
  if constexpr (Op == UnaryOp::Relu6) return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
  if constexpr (Op == UnaryOp::LeakyRelu) return x < 0.f ? p * x : x;
  if constexpr (Op == UnaryOp::Step) return x != x ? x : (x > 0.f ? 1.f : p);
  if constexpr (Op == UnaryOp::Neg) return -x;
  if constexpr (Op == UnaryOp::Abs) return std::fabs(x);
  if constexpr (Op == UnaryOp::Square) return x * x;
  if constexpr (Op == UnaryOp::Sqrt) return std::sqrt(x);
  if constexpr (Op == UnaryOp::Rsqrt) return 1.f / std::sqrt(x);
  if constexpr (Op == UnaryOp::Exp) return std::exp(x);
  if constexpr (Op == UnaryOp::Log) return std::log(x);
  if constexpr (Op == UnaryOp::Sigmoid) return 1.f / (1.f + std::exp(-x));
  if constexpr (Op == UnaryOp::Tanh) return std::tanh(x);
  if constexpr (Op == UnaryOp::Elu) return x >= 0.f ? x : std::expm1(x);
  if constexpr (Op == UnaryOp::Reciprocal) return 1.f / x;
  return x;  // Linear
}

template <UnaryOp Op>
void unary_range(float p, const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = apply_unary<Op>(x[i], p);
}

using UnaryRange = void (*)(float, const float*, float*, int64_t);

template <int... I>
constexpr auto make_unary_table(std::integer_sequence<int, I...>) {
  return std::array<UnaryRange, sizeof...(I)>{&unary_range<static_cast<UnaryOp>(I)>...};
}

UnaryRange unary_fn(UnaryOp op) {
  static constexpr auto table = make_unary_table(std::make_integer_sequence<int, static_cast<int>(UnaryOp::Count)>{});
  const int i = static_cast<int>(op);
  return (i >= 0 && i < static_cast<int>(UnaryOp::Count)) ? table[i] : table[static_cast<int>(UnaryOp::Linear)];
}

// Transcendental ops cost ~10x more per element: split them finer.
int64_t unary_grain(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp:
    case UnaryOp::Log:
    case UnaryOp::Sigmoid:
    case UnaryOp::Tanh:
    case UnaryOp::Elu:
      return kGrain / 8;
    default:
      return kGrain;
  }
}
}  // namespace

void binary_broadcast(BinaryOp op, int rank_in, const int64_t* shape_in, const float* a, const int64_t* as_in,
                      const float* b, const int64_t* bs_in, float* out) {
  // Drop size-1 dimensions and merge neighbours both operands walk contiguously (or both
  // repeat), so same-shape operands become one flat loop and [n, h, w, c] + [c] a 2-D one.
  int64_t shape[8], as[8], bs[8];
  int rank = 0;
  for (int d = 0; d < rank_in && d < 8; ++d) {
    const int64_t n = shape_in[d];
    if (n == 1) continue;
    if (n == 0) return;
    if (rank > 0 && as[rank - 1] == as_in[d] * n && bs[rank - 1] == bs_in[d] * n) {
      shape[rank - 1] *= n;
      as[rank - 1] = as_in[d];
      bs[rank - 1] = bs_in[d];
    } else {
      shape[rank] = n;
      as[rank] = as_in[d];
      bs[rank] = bs_in[d];
      ++rank;
    }
  }
  switch (op) {
    case BinaryOp::Add: return binary_impl<BinaryOp::Add>(rank, shape, a, as, b, bs, out);
    case BinaryOp::Sub: return binary_impl<BinaryOp::Sub>(rank, shape, a, as, b, bs, out);
    case BinaryOp::Mul: return binary_impl<BinaryOp::Mul>(rank, shape, a, as, b, bs, out);
    case BinaryOp::Div: return binary_impl<BinaryOp::Div>(rank, shape, a, as, b, bs, out);
    case BinaryOp::Max: return binary_impl<BinaryOp::Max>(rank, shape, a, as, b, bs, out);
    case BinaryOp::Min: return binary_impl<BinaryOp::Min>(rank, shape, a, as, b, bs, out);
    case BinaryOp::SquaredDifference: return binary_impl<BinaryOp::SquaredDifference>(rank, shape, a, as, b, bs, out);
  }
}

void unary(UnaryOp op, float param, const float* x, float* out, int64_t n) {
  UnaryRange fn = unary_fn(op);
  parallel_for(n, unary_grain(op), [&](int64_t b, int64_t e) { fn(param, x + b, out + b, e - b); });
}

void bias_activation(float* y, int64_t rows, int64_t cols, const float* bias, int64_t bias_len, UnaryOp act,
                     float param) {
  UnaryRange fn = unary_fn(act);
  const bool identity = act == UnaryOp::Linear;
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* yr = y + r * cols;
      if (bias_len == cols && bias != nullptr) {
        for (int64_t j = 0; j < cols; ++j) yr[j] += bias[j];
      } else if (bias_len == 1 && bias != nullptr) {
        const float bv = bias[0];
        for (int64_t j = 0; j < cols; ++j) yr[j] += bv;
      }
      if (!identity) fn(param, yr, yr, cols);
    }
  });
}

void add_n(const float* const* inputs, int count, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    if (count == 0) {
      std::memset(out + b, 0, sizeof(float) * (e - b));
      return;
    }
    // Left to right, as tfjs adds them.
    const float* first = inputs[0];
    for (int64_t i = b; i < e; ++i) out[i] = first[i];
    for (int t = 1; t < count; ++t) {
      const float* in = inputs[t];
      for (int64_t i = b; i < e; ++i) out[i] += in[i];
    }
  });
}

}  // namespace samlab
