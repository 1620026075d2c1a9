#include "elementwise.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

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

template <CompareOp Op>
inline uint8_t apply_compare(float a, float b) {
  if constexpr (Op == CompareOp::Greater) return a > b;
  if constexpr (Op == CompareOp::GreaterEqual) return a >= b;
  if constexpr (Op == CompareOp::Less) return a < b;
  if constexpr (Op == CompareOp::LessEqual) return a <= b;
  if constexpr (Op == CompareOp::Equal) return a == b;
  if constexpr (Op == CompareOp::NotEqual) return a != b;
  return 0;
}

template <LogicalOp Op>
inline uint8_t apply_logical(uint8_t a, uint8_t b) {
  if constexpr (Op == LogicalOp::And) return a ? b : a;
  if constexpr (Op == LogicalOp::Or) return a ? a : b;
  return 0;
}

// The innermost dimension, specialised on the stride pattern so the common cases
// (same shape, broadcast row, broadcast scalar) vectorise.
template <typename In, typename Out, typename F>
inline void broadcast_row(const In* a, int64_t sa, const In* b, int64_t sb, Out* out, int64_t n, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const In bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const In av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i * sa], b[i * sb]);
  }
}

// out[i...] = f(a[...], b[...]) over a collapsed broadcast (see collapse_broadcast).
template <typename In, typename Out, typename F>
void broadcast_impl(int rank, const int64_t* shape, const In* a, const int64_t* as, const In* b, const int64_t* bs,
                    Out* out, F f) {
  if (rank == 0) {
    out[0] = f(a[0], b[0]);
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
      broadcast_row(a + ao + col * sa, sa, b + bo + col * sb, sb, out + pos, n, f);
      pos += n;
      col = 0;
      ++row;
    }
  });
}

// A broadcast with its size-1 dimensions dropped and the neighbours both operands walk
// contiguously (or both repeat) merged, so same-shape operands become one flat loop and
// [n, h, w, c] + [c] a 2-D one. `rank` is -1 when the output is empty.
struct Collapsed {
  int rank = 0;
  int64_t shape[8], as[8], bs[8];
};

Collapsed collapse_broadcast(int rank_in, const int64_t* shape_in, const int64_t* as_in, const int64_t* bs_in) {
  Collapsed c;
  for (int d = 0; d < rank_in && d < 8; ++d) {
    const int64_t n = shape_in[d];
    if (n == 1) continue;
    if (n == 0) {
      c.rank = -1;
      return c;
    }
    if (c.rank > 0 && c.as[c.rank - 1] == as_in[d] * n && c.bs[c.rank - 1] == bs_in[d] * n) {
      c.shape[c.rank - 1] *= n;
      c.as[c.rank - 1] = as_in[d];
      c.bs[c.rank - 1] = bs_in[d];
    } else {
      c.shape[c.rank] = n;
      c.as[c.rank] = as_in[d];
      c.bs[c.rank] = bs_in[d];
      ++c.rank;
    }
  }
  return c;
}

template <BinaryOp Op>
void binary_impl(const Collapsed& c, const float* a, const float* b, float* out) {
  broadcast_impl(c.rank, c.shape, a, c.as, b, c.bs, out, [](float x, float y) { return apply_binary<Op>(x, y); });
}

template <CompareOp Op>
void compare_impl(const Collapsed& c, const float* a, const float* b, uint8_t* out) {
  broadcast_impl(c.rank, c.shape, a, c.as, b, c.bs, out, [](float x, float y) { return apply_compare<Op>(x, y); });
}

template <LogicalOp Op>
void logical_impl(const Collapsed& c, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  broadcast_impl(c.rank, c.shape, a, c.as, b, c.bs, out, [](uint8_t x, uint8_t y) { return apply_logical<Op>(x, y); });
}

// JavaScript's ToInt32 of a float: NaN and infinities give 0, the rest truncate toward zero
// and wrap modulo 2^32 (every float of magnitude 2^24 or more is an integer, so fmod is exact).
inline int32_t to_int32(float x) {
  if (!std::isfinite(x)) return 0;
  const double t = std::trunc(static_cast<double>(x));
  if (t >= -2147483648.0 && t < 2147483648.0) return static_cast<int32_t>(t);
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

template <typename From, typename To>
int64_t cast_range(const From* x, To* out, int64_t n) {
  int64_t inexact = 0;
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<To, uint8_t>) {
      out[i] = x[i] != 0;  // bool: NaN != 0 is true
    } else if constexpr (std::is_same_v<To, int32_t> && std::is_same_v<From, float>) {
      out[i] = to_int32(x[i]);
    } else if constexpr (std::is_same_v<To, float> && std::is_same_v<From, int32_t>) {
      const float f = static_cast<float>(x[i]);
      // float(2^31) does not fit int32: compare in double.
      inexact += static_cast<double>(f) != static_cast<double>(x[i]);
      out[i] = f;
    } else {
      out[i] = static_cast<To>(x[i]);
    }
  }
  return inexact;
}

template <typename From, typename To>
int64_t cast_typed(const void* x, void* out, int64_t n) {
  const From* in = static_cast<const From*>(x);
  To* o = static_cast<To*>(out);
  std::atomic<int64_t> inexact{0};
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    const int64_t k = cast_range(in + b, o + b, e - b);
    if (k != 0) inexact += k;
  });
  return inexact.load();
}

template <typename From>
int64_t cast_from(DType to, const void* x, void* out, int64_t n) {
  switch (to) {
    case DType::Float32: return cast_typed<From, float>(x, out, n);
    case DType::Int32: return cast_typed<From, int32_t>(x, out, n);
    case DType::Bool: return cast_typed<From, uint8_t>(x, out, n);
  }
  return 0;
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
  const Collapsed c = collapse_broadcast(rank_in, shape_in, as_in, bs_in);
  if (c.rank < 0) return;
  switch (op) {
    case BinaryOp::Add: return binary_impl<BinaryOp::Add>(c, a, b, out);
    case BinaryOp::Sub: return binary_impl<BinaryOp::Sub>(c, a, b, out);
    case BinaryOp::Mul: return binary_impl<BinaryOp::Mul>(c, a, b, out);
    case BinaryOp::Div: return binary_impl<BinaryOp::Div>(c, a, b, out);
    case BinaryOp::Max: return binary_impl<BinaryOp::Max>(c, a, b, out);
    case BinaryOp::Min: return binary_impl<BinaryOp::Min>(c, a, b, out);
    case BinaryOp::SquaredDifference: return binary_impl<BinaryOp::SquaredDifference>(c, a, b, out);
  }
}

void compare_broadcast(CompareOp op, int rank_in, const int64_t* shape_in, const float* a, const int64_t* as_in,
                       const float* b, const int64_t* bs_in, uint8_t* out) {
  const Collapsed c = collapse_broadcast(rank_in, shape_in, as_in, bs_in);
  if (c.rank < 0) return;
  switch (op) {
    case CompareOp::Greater: return compare_impl<CompareOp::Greater>(c, a, b, out);
    case CompareOp::GreaterEqual: return compare_impl<CompareOp::GreaterEqual>(c, a, b, out);
    case CompareOp::Less: return compare_impl<CompareOp::Less>(c, a, b, out);
    case CompareOp::LessEqual: return compare_impl<CompareOp::LessEqual>(c, a, b, out);
    case CompareOp::Equal: return compare_impl<CompareOp::Equal>(c, a, b, out);
    case CompareOp::NotEqual: return compare_impl<CompareOp::NotEqual>(c, a, b, out);
  }
}

void logical_broadcast(LogicalOp op, int rank_in, const int64_t* shape_in, const uint8_t* a, const int64_t* as_in,
                       const uint8_t* b, const int64_t* bs_in, uint8_t* out) {
  const Collapsed c = collapse_broadcast(rank_in, shape_in, as_in, bs_in);
  if (c.rank < 0) return;
  switch (op) {
    case LogicalOp::And: return logical_impl<LogicalOp::And>(c, a, b, out);
    case LogicalOp::Or: return logical_impl<LogicalOp::Or>(c, a, b, out);
  }
}

void logical_not(const uint8_t* x, uint8_t* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = x[i] ? 0 : 1;
  });
}

void select(const uint8_t* condition, const float* t, const float* e, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t end) {
    for (int64_t i = b; i < end; ++i) out[i] = condition[i] == 1 ? t[i] : e[i];
  });
}

int64_t cast(DType from, DType to, const void* x, void* out, int64_t n) {
  switch (from) {
    case DType::Float32: return cast_from<float>(to, x, out, n);
    case DType::Int32: return cast_from<int32_t>(to, x, out, n);
    case DType::Bool: return cast_from<uint8_t>(to, x, out, n);
  }
  return 0;
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

// gcc may contract a + b * s into an FMA where the target has one (-march); that rounds once
// where tfjs's two ops round twice. On the functions that hold the loops themselves: the
// attribute does not reach a lambda defined inside the function it marks.
#if defined(__GNUC__) && !defined(__clang__)
#define SAMLAB_NO_FP_CONTRACT __attribute__((optimize("fp-contract=off")))
#else
#define SAMLAB_NO_FP_CONTRACT
#endif

namespace {
SAMLAB_NO_FP_CONTRACT void scaled_add_range(const float* a, const float* b, float s, float* out, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float product = b[i] * s;
    out[i] = a[i] + product;
  }
}
}  // namespace

void scaled_add(const float* a, const float* b, float s, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) { scaled_add_range(a, b, s, out, begin, end); });
}

namespace {
template <bool Decay, bool Momentum, bool Nesterov>
SAMLAB_NO_FP_CONTRACT void sgd_step_range(const SgdStepOptions& o, const float* w, const float* g, const float* t, float* w_out, float* t_out,
                    int64_t begin, int64_t end) {
  const float neg_lr = o.neg_lr, decay = o.weight_decay, momentum = o.momentum;
  for (int64_t i = begin; i < end; ++i) {
    const float wi = w[i];
    float d = g[i];
    if constexpr (Decay) {
      const float product = wi * decay;
      d = d + product;
    }
    float u = d;
    if constexpr (Momentum) {
      const float product = t[i] * momentum;
      const float next = d + product;
      t_out[i] = next;
      u = next;
      if constexpr (Nesterov) {
        const float ahead = next * momentum;
        u = d + ahead;
      }
    }
    const float step = u * neg_lr;
    w_out[i] = wi + step;
  }
}

using SgdRange = void (*)(const SgdStepOptions&, const float*, const float*, const float*, float*, float*, int64_t, int64_t);

template <bool Decay>
SgdRange sgd_range_for(bool momentum, bool nesterov) {
  if (!momentum) return sgd_step_range<Decay, false, false>;
  return nesterov ? sgd_step_range<Decay, true, true> : sgd_step_range<Decay, true, false>;
}
}  // namespace

void sgd_step(const SgdStepOptions& o, const float* w, const float* g, const float* t, float* w_out, float* t_out, int64_t n) {
  const bool momentum = t != nullptr;
  const SgdRange range = o.has_decay ? sgd_range_for<true>(momentum, o.nesterov) : sgd_range_for<false>(momentum, o.nesterov);
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) { range(o, w, g, t, w_out, t_out, begin, end); });
}

}  // namespace samlab
