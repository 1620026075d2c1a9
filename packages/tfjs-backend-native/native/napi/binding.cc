// N-API bindings (plain node_api.h, no node-addon-api): thin wrappers that check every
// buffer against the geometry it is used with, then call the samlab kernels. Tensors
// cross the boundary as Float32Arrays (Uint8Arrays for bool, Int32Arrays for int32) that
// are read and written in place (no copies).
#include <node_api.h>

#include <exception>
#include <new>
#include <string>

#include "../src/conv.h"
#include "../src/dispatch.h"
#include "../src/elementwise.h"
#include "../src/gemm.h"
#include "../src/peak.h"
#include "../src/pool.h"
#include "../src/reduce.h"
#include "../src/threadpool.h"
#include "../src/winograd.h"
#include "args.h"
#include "batch_norm_binding.h"
#include "copy_binding.h"
#include "guarded.h"

namespace samlab::napi {
namespace {

#define BINDING(NAME) napi_value NAME(napi_env env, napi_callback_info info)

BINDING(Info) {
  return guarded(env, [&] {
    napi_value obj, v;
    napi_create_object(env, &obj);
    napi_create_string_utf8(env, simd_name(dispatch().simd), NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, obj, "simd", v);
    napi_create_string_utf8(env, dispatch().gemm.name, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, obj, "gemmKernel", v);
    napi_create_int32(env, ThreadPool::global().size(), &v);
    napi_set_named_property(env, obj, "threads", v);
    return obj;
  });
}

BINDING(SetThreads) {
  return guarded(env, [&] {
    Args a(env, info, "setThreads", 1);
    const int32_t n = a.i32(0, "threads");
    if (n < 0 || n > 256) a.range_error("threads must be in [0, 256] (0 = SAMLAB_NATIVE_THREADS or all cores)");
    ThreadPool::resize_global(n);
    napi_value v;
    napi_create_int32(env, ThreadPool::global().size(), &v);
    return v;
  });
}

// matmul(a, b, out, batch, batchA, batchB, m, n, k, transA, transB): for each bi < batch,
// out[bi] = op(a[bi % batchA]) op(b[bi % batchB]), tfjs's BatchMatMul broadcasting.
BINDING(MatMul) {
  return guarded(env, [&] {
    Args a(env, info, "matMul", 11);
    auto A = a.f32(0, "a");
    auto B = a.f32(1, "b");
    auto C = a.f32(2, "out");
    const int64_t batch = a.i64(3, "batch"), batch_a = a.i64(4, "batchA"), batch_b = a.i64(5, "batchB");
    const int64_t m = a.i64(6, "m"), n = a.i64(7, "n"), k = a.i64(8, "k");
    const bool ta = a.boolean(9, "transposeA"), tb = a.boolean(10, "transposeB");
    if (batch_a < 1 || batch_b < 1 || (batch_a != batch && batch_a != 1 && batch != 0) ||
        (batch_b != batch && batch_b != 1 && batch != 0))
      a.range_error("batch sizes do not broadcast");
    if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) a.range_error("matrix dimension over 2^31");
    a.require_length(A, batch_a * m * k, "a");
    a.require_length(B, batch_b * k * n, "b");
    a.require_length(C, batch * m * n, "out");
    for (int64_t bi = 0; bi < batch; ++bi) {
      const float* pa = A.data + (bi % batch_a) * m * k;
      const float* pb = B.data + (bi % batch_b) * k * n;
      sgemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), pa, ta ? m : k, pb, tb ? k : n,
            C.data + bi * m * n, n, false);
    }
    return undefined(env);
  });
}

ConvGeometry conv_geometry(const Args& a, size_t i) {
  auto v = a.i32_array(i, "geometry");
  if (v.size() != 15) a.range_error("geometry must have 15 entries");
  ConvGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  if (const char* bad = g.validate()) a.range_error(std::string("bad geometry: ") + bad);
  return g;
}

BINDING(Conv2D) {
  return guarded(env, [&] {
    Args a(env, info, "conv2d", 4);
    auto x = a.f32(0, "x");
    auto w = a.f32(1, "filter");
    auto y = a.f32(2, "out");
    const ConvGeometry g = conv_geometry(a, 3);
    a.require_length(x, g.in_size(), "x");
    a.require_length(w, g.filter_size(), "filter");
    a.require_length(y, g.out_size(), "out");
    conv2d_forward(g, x.data, w.data, y.data);
    return undefined(env);
  });
}

BINDING(Conv2DBackpropInput) {
  return guarded(env, [&] {
    Args a(env, info, "conv2dBackpropInput", 4);
    auto dy = a.f32(0, "dy");
    auto w = a.f32(1, "filter");
    auto dx = a.f32(2, "out");
    const ConvGeometry g = conv_geometry(a, 3);
    a.require_length(dy, g.out_size(), "dy");
    a.require_length(w, g.filter_size(), "filter");
    a.require_length(dx, g.in_size(), "out");
    conv2d_backprop_input(g, dy.data, w.data, dx.data);
    return undefined(env);
  });
}

BINDING(Conv2DBackpropFilter) {
  return guarded(env, [&] {
    Args a(env, info, "conv2dBackpropFilter", 4);
    auto x = a.f32(0, "x");
    auto dy = a.f32(1, "dy");
    auto dw = a.f32(2, "out");
    const ConvGeometry g = conv_geometry(a, 3);
    a.require_length(x, g.in_size(), "x");
    a.require_length(dy, g.out_size(), "dy");
    a.require_length(dw, g.filter_size(), "out");
    conv2d_backprop_filter(g, x.data, dy.data, dw.data);
    return undefined(env);
  });
}

// conv2dWinograd(geometry, pass) -> whether pass 0 (forward), 1 (input gradient) or 2 (filter
// gradient) of the convolution runs on the Winograd path: the selection rule, for tests.
BINDING(Conv2DWinograd) {
  return guarded(env, [&] {
    Args a(env, info, "conv2dWinograd", 2);
    const ConvGeometry g = conv_geometry(a, 0);
    const int32_t pass = a.i32(1, "pass");
    if (pass < 0 || pass > 2) a.range_error("pass must be 0, 1 or 2");
    napi_value v;
    napi_get_boolean(env, winograd_use(g, static_cast<ConvPass>(pass)), &v);
    return v;
  });
}

PoolGeometry pool_geometry(const Args& a, size_t i) {
  auto v = a.i32_array(i, "geometry");
  if (v.size() != 14) a.range_error("geometry must have 14 entries");
  PoolGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  if (const char* bad = g.validate()) a.range_error(std::string("bad geometry: ") + bad);
  return g;
}

BINDING(MaxPool) {
  return guarded(env, [&] {
    Args a(env, info, "maxPool", 3);
    auto x = a.f32(0, "x");
    auto y = a.f32(1, "out");
    const PoolGeometry g = pool_geometry(a, 2);
    a.require_length(x, g.in_size(), "x");
    a.require_length(y, g.out_size(), "out");
    max_pool(g, x.data, y.data);
    return undefined(env);
  });
}

BINDING(MaxPoolGrad) {
  return guarded(env, [&] {
    Args a(env, info, "maxPoolGrad", 4);
    auto x = a.f32(0, "x");
    auto dy = a.f32(1, "dy");
    auto dx = a.f32(2, "out");
    const PoolGeometry g = pool_geometry(a, 3);
    a.require_length(x, g.in_size(), "x");
    a.require_length(dy, g.out_size(), "dy");
    a.require_length(dx, g.in_size(), "out");
    max_pool_grad(g, x.data, dy.data, dx.data);
    return undefined(env);
  });
}

BINDING(AvgPool) {
  return guarded(env, [&] {
    Args a(env, info, "avgPool", 3);
    auto x = a.f32(0, "x");
    auto y = a.f32(1, "out");
    const PoolGeometry g = pool_geometry(a, 2);
    a.require_length(x, g.in_size(), "x");
    a.require_length(y, g.out_size(), "out");
    avg_pool(g, x.data, y.data);
    return undefined(env);
  });
}

BINDING(AvgPoolGrad) {
  return guarded(env, [&] {
    Args a(env, info, "avgPoolGrad", 3);
    auto dy = a.f32(0, "dy");
    auto dx = a.f32(1, "out");
    const PoolGeometry g = pool_geometry(a, 2);
    a.require_length(dy, g.out_size(), "dy");
    a.require_length(dx, g.in_size(), "out");
    avg_pool_grad(g, dy.data, dx.data);
    return undefined(env);
  });
}

UnaryOp unary_op(const Args& a, size_t i) {
  const int32_t op = a.i32(i, "op");
  if (op < 0 || op >= static_cast<int32_t>(UnaryOp::Count)) a.range_error("unknown unary op " + std::to_string(op));
  return static_cast<UnaryOp>(op);
}

// biasActivation(y, rows, cols, bias | null, activation, param): in place.
BINDING(BiasActivation) {
  return guarded(env, [&] {
    Args a(env, info, "biasActivation", 6);
    auto y = a.f32(0, "y");
    const int64_t rows = a.i64(1, "rows"), cols = a.i64(2, "cols");
    auto bias = a.optional_f32(3, "bias");
    const UnaryOp act = unary_op(a, 4);
    const float param = static_cast<float>(a.number(5, "param"));
    a.require_length(y, rows * cols, "y");
    if (bias.data != nullptr && bias.length != 1 && static_cast<int64_t>(bias.length) != cols)
      a.range_error("bias must have 1 or cols elements");
    bias_activation(y.data, rows, cols, bias.data, static_cast<int64_t>(bias.length), act, param);
    return undefined(env);
  });
}

// An output shape and each operand's element strides per output dimension (0 where it
// repeats), checked: rank <= 8, nothing negative; `a_len`/`b_len` are the elements each
// operand must hold (0 when the output is empty).
struct Broadcast {
  int rank = 0;
  int64_t shape[8], a_strides[8], b_strides[8];
  int64_t total = 1, a_len = 0, b_len = 0;
};

Broadcast broadcast_args(const Args& a, size_t shape_i) {
  auto shape = a.i32_array(shape_i, "shape");
  auto as = a.i32_array(shape_i + 1, "aStrides");
  auto bs = a.i32_array(shape_i + 2, "bStrides");
  const size_t rank = shape.size();
  if (rank > 8 || as.size() != rank || bs.size() != rank) a.range_error("shape and strides must have one equal rank <= 8");
  Broadcast g;
  g.rank = static_cast<int>(rank);
  int64_t a_max = 0, b_max = 0;
  for (size_t d = 0; d < rank; ++d) {
    if (shape[d] < 0 || as[d] < 0 || bs[d] < 0) a.range_error("negative shape or stride");
    g.shape[d] = shape[d];
    g.a_strides[d] = as[d];
    g.b_strides[d] = bs[d];
    g.total *= shape[d];
    if (shape[d] > 0) {
      a_max += int64_t(shape[d] - 1) * as[d];
      b_max += int64_t(shape[d] - 1) * bs[d];
    }
  }
  if (g.total > 0) {
    g.a_len = a_max + 1;
    g.b_len = b_max + 1;
  }
  return g;
}

// binary(op, a, b, out, shape, aStrides, bStrides)
BINDING(Binary) {
  return guarded(env, [&] {
    Args a(env, info, "binary", 7);
    const int32_t op = a.i32(0, "op");
    if (op < 0 || op > static_cast<int32_t>(BinaryOp::SquaredDifference)) a.range_error("unknown binary op " + std::to_string(op));
    auto x = a.f32(1, "a");
    auto y = a.f32(2, "b");
    auto out = a.f32(3, "out");
    const Broadcast g = broadcast_args(a, 4);
    a.require_length(out, g.total, "out");
    if (g.total > 0) {
      a.require_length(x, g.a_len, "a");
      a.require_length(y, g.b_len, "b");
      binary_broadcast(static_cast<BinaryOp>(op), g.rank, g.shape, x.data, g.a_strides, y.data, g.b_strides, out.data);
    }
    return undefined(env);
  });
}

// compare(op, a, b, out: Uint8Array, shape, aStrides, bStrides): float32 in, bool bytes out.
BINDING(Compare) {
  return guarded(env, [&] {
    Args a(env, info, "compare", 7);
    const int32_t op = a.i32(0, "op");
    if (op < 0 || op > static_cast<int32_t>(CompareOp::NotEqual)) a.range_error("unknown compare op " + std::to_string(op));
    auto x = a.f32(1, "a");
    auto y = a.f32(2, "b");
    auto out = a.u8(3, "out");
    const Broadcast g = broadcast_args(a, 4);
    a.require_length(out, g.total, "out");
    if (g.total > 0) {
      a.require_length(x, g.a_len, "a");
      a.require_length(y, g.b_len, "b");
      compare_broadcast(static_cast<CompareOp>(op), g.rank, g.shape, x.data, g.a_strides, y.data, g.b_strides, out.data);
    }
    return undefined(env);
  });
}

// logical(op, a: Uint8Array, b: Uint8Array, out: Uint8Array, shape, aStrides, bStrides)
BINDING(Logical) {
  return guarded(env, [&] {
    Args a(env, info, "logical", 7);
    const int32_t op = a.i32(0, "op");
    if (op < 0 || op > static_cast<int32_t>(LogicalOp::Or)) a.range_error("unknown logical op " + std::to_string(op));
    auto x = a.u8(1, "a");
    auto y = a.u8(2, "b");
    auto out = a.u8(3, "out");
    const Broadcast g = broadcast_args(a, 4);
    a.require_length(out, g.total, "out");
    if (g.total > 0) {
      a.require_length(x, g.a_len, "a");
      a.require_length(y, g.b_len, "b");
      logical_broadcast(static_cast<LogicalOp>(op), g.rank, g.shape, x.data, g.a_strides, y.data, g.b_strides, out.data);
    }
    return undefined(env);
  });
}

// logicalNot(x: Uint8Array, out: Uint8Array)
BINDING(LogicalNot) {
  return guarded(env, [&] {
    Args a(env, info, "logicalNot", 2);
    auto x = a.u8(0, "x");
    auto out = a.u8(1, "out");
    a.require_length(out, static_cast<int64_t>(x.length), "out");
    logical_not(x.data, out.data, static_cast<int64_t>(x.length));
    return undefined(env);
  });
}

// select(condition: Uint8Array, t, e, out): out = condition == 1 ? t : e, all of one length.
BINDING(Select) {
  return guarded(env, [&] {
    Args a(env, info, "select", 4);
    auto c = a.u8(0, "condition");
    auto t = a.f32(1, "t");
    auto e = a.f32(2, "e");
    auto out = a.f32(3, "out");
    const int64_t n = static_cast<int64_t>(c.length);
    a.require_length(t, n, "t");
    a.require_length(e, n, "e");
    a.require_length(out, n, "out");
    select(c.data, t.data, e.data, out.data, n);
    return undefined(env);
  });
}

DType dtype_of(napi_typedarray_type t) {
  return t == napi_float32_array ? DType::Float32 : t == napi_int32_array ? DType::Int32 : DType::Bool;
}

// cast(x, out) -> inexact: converts x into out, the element types given by the arrays
// (Float32Array float32, Int32Array int32, Uint8Array bool); returns how many int32 values
// float32 rounded.
BINDING(Cast) {
  return guarded(env, [&] {
    Args a(env, info, "cast", 2);
    auto x = a.typed(0, "x");
    auto out = a.typed(1, "out");
    a.require_length(out, static_cast<int64_t>(x.length), "out");
    const int64_t inexact = cast(dtype_of(x.type), dtype_of(out.type), x.data, out.data, static_cast<int64_t>(x.length));
    napi_value v;
    napi_create_double(env, static_cast<double>(inexact), &v);
    return v;
  });
}

// unary(op, x, out, param)
BINDING(Unary) {
  return guarded(env, [&] {
    Args a(env, info, "unary", 4);
    const UnaryOp op = unary_op(a, 0);
    auto x = a.f32(1, "x");
    auto out = a.f32(2, "out");
    const float param = static_cast<float>(a.number(3, "param"));
    a.require_length(out, static_cast<int64_t>(x.length), "out");
    unary(op, param, x.data, out.data, static_cast<int64_t>(x.length));
    return undefined(env);
  });
}

// reduce(op, x, out, outer, reduceSize, inner)
BINDING(Reduce) {
  return guarded(env, [&] {
    Args a(env, info, "reduce", 6);
    const int32_t op = a.i32(0, "op");
    if (op < 0 || op > static_cast<int32_t>(ReduceOp::Mean)) a.range_error("unknown reduce op " + std::to_string(op));
    auto x = a.f32(1, "x");
    auto out = a.f32(2, "out");
    const int64_t outer = a.i64(3, "outer"), r = a.i64(4, "reduceSize"), inner = a.i64(5, "inner");
    a.require_length(x, outer * r * inner, "x");
    a.require_length(out, outer * inner, "out");
    reduce(static_cast<ReduceOp>(op), x.data, outer, r, inner, out.data);
    return undefined(env);
  });
}

// globalNorm(inputs[], out): out[0] = the L2 norm of all inputs together
BINDING(GlobalNorm) {
  return guarded(env, [&] {
    Args a(env, info, "globalNorm", 2);
    auto inputs = a.f32_list(0, "inputs");
    auto out = a.f32(1, "out");
    a.require_length(out, 1, "out");
    std::vector<const float*> ptrs;
    std::vector<int64_t> sizes;
    for (auto& in : inputs) {
      ptrs.push_back(in.data);
      sizes.push_back(static_cast<int64_t>(in.length));
    }
    out.data[0] = global_norm(ptrs.data(), sizes.data(), static_cast<int>(ptrs.size()));
    return undefined(env);
  });
}

// scaledAdd(a, b, s, out): out = a + b * s
BINDING(ScaledAdd) {
  return guarded(env, [&] {
    Args a(env, info, "scaledAdd", 4);
    auto x = a.f32(0, "a");
    auto y = a.f32(1, "b");
    const float s = static_cast<float>(a.number(2, "s"));
    auto out = a.f32(3, "out");
    a.require_length(y, static_cast<int64_t>(x.length), "b");
    a.require_length(out, static_cast<int64_t>(x.length), "out");
    scaled_add(x.data, y.data, s, out.data, static_cast<int64_t>(x.length));
    return undefined(env);
  });
}

// sgdStep(w, g, t, wOut, tOut, negLr, weightDecay, momentum, nesterov): one step of SGD
// (elementwise.h); t and tOut null without momentum, no decay term when weightDecay is 0
BINDING(SgdStep) {
  return guarded(env, [&] {
    Args a(env, info, "sgdStep", 9);
    auto w = a.f32(0, "w");
    const int64_t n = static_cast<int64_t>(w.length);
    auto g = a.f32(1, "g");
    a.require_length(g, n, "g");
    auto t = a.optional_f32(2, "t");
    auto w_out = a.f32(3, "wOut");
    a.require_length(w_out, n, "wOut");
    auto t_out = a.optional_f32(4, "tOut");
    if ((t.data == nullptr) != (t_out.data == nullptr)) a.range_error("t and tOut must both be given (momentum) or both be null");
    if (t.data != nullptr) {
      a.require_length(t, n, "t");
      a.require_length(t_out, n, "tOut");
    }
    const double weight_decay = a.number(6, "weightDecay"), momentum = a.number(7, "momentum");
    if (!(weight_decay >= 0)) a.range_error("weightDecay must be >= 0");
    if ((t.data != nullptr) != (momentum > 0)) a.range_error("t must be given exactly when momentum > 0");
    const SgdStepOptions o{static_cast<float>(a.number(5, "negLr")), weight_decay > 0, static_cast<float>(weight_decay), static_cast<float>(momentum),
                    a.boolean(8, "nesterov")};
    sgd_step(o, w.data, g.data, t.data, w_out.data, t_out.data, n);
    return undefined(env);
  });
}

// addN(inputs[], out)
BINDING(AddN) {
  return guarded(env, [&] {
    Args a(env, info, "addN", 2);
    auto inputs = a.f32_list(0, "inputs");
    auto out = a.f32(1, "out");
    std::vector<const float*> ptrs;
    for (auto& in : inputs) {
      a.require_length(in, static_cast<int64_t>(out.length), "each input");
      ptrs.push_back(in.data);
    }
    add_n(ptrs.data(), static_cast<int>(ptrs.size()), out.data, static_cast<int64_t>(out.length));
    return undefined(env);
  });
}

// measurePeak(iterations) -> { gflops, threads, flops, seconds }
BINDING(MeasurePeak) {
  return guarded(env, [&] {
    Args a(env, info, "measurePeak", 1);
    const int64_t iterations = a.i64(0, "iterations");
    if (iterations <= 0) a.range_error("iterations must be positive");
    const PeakMeasurement m = measure_peak(iterations);
    napi_value obj, v;
    napi_create_object(env, &obj);
    napi_create_double(env, m.gflops, &v);
    napi_set_named_property(env, obj, "gflops", v);
    napi_create_int32(env, m.threads, &v);
    napi_set_named_property(env, obj, "threads", v);
    napi_create_double(env, static_cast<double>(m.flops), &v);
    napi_set_named_property(env, obj, "flops", v);
    napi_create_double(env, m.seconds, &v);
    napi_set_named_property(env, obj, "seconds", v);
    return obj;
  });
}

#undef BINDING

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dWinograd", nullptr, Conv2DWinograd, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPool", nullptr, AvgPool, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPoolGrad", nullptr, AvgPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"compare", nullptr, Compare, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"logical", nullptr, Logical, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"logicalNot", nullptr, LogicalNot, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"select", nullptr, Select, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"cast", nullptr, Cast, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"globalNorm", nullptr, GlobalNorm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"scaledAdd", nullptr, ScaledAdd, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addN", nullptr, AddN, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"measurePeak", nullptr, MeasurePeak, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  define_batch_norm_bindings(env, exports);
  define_copy_bindings(env, exports);
  return exports;
}

}  // namespace
}  // namespace samlab::napi

NAPI_MODULE_INIT() { return samlab::napi::Init(env, exports); }
