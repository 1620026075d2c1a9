// N-API bindings of slice, pad, tile, concat and split. Tensors are Float32Arrays, Int32Arrays or
// Uint8Arrays (bool), all of one type per call, read and written in place; shapes are
// Int32Arrays, and every length is checked against them before anything is copied.
#include "copy_binding.h"

#include <string>
#include <vector>

#include "../src/copy.h"
#include "args.h"
#include "guarded.h"

namespace samlab::napi {
namespace {

int elem_bytes(napi_typedarray_type type) { return type == napi_uint8_array ? 1 : 4; }

void require_same_type(const Args& a, const Args::Typed& t, const Args::Typed& like, const char* name) {
  if (t.type != like.type) a.range_error(std::string(name) + " must have the element type of the other tensors");
}

// An Int32Array of `rank` non-negative entries (a shape, or offsets along each dimension).
std::vector<int64_t> dims(const Args& a, size_t i, const char* name, size_t rank) {
  const auto v = a.i32_array(i, name);
  if (v.size() != rank) a.range_error(std::string(name) + " must have " + std::to_string(rank) + " entries");
  for (int32_t d : v)
    if (d < 0) a.range_error(std::string(name) + " must not be negative");
  return std::vector<int64_t>(v.begin(), v.end());
}

// The shape argument i: at most kMaxCopyRank entries.
std::vector<int64_t> shape_arg(const Args& a, size_t i) {
  const size_t rank = a.i32_array(i, "shape").size();
  if (rank > static_cast<size_t>(kMaxCopyRank)) a.range_error("rank over " + std::to_string(kMaxCopyRank));
  return dims(a, i, "shape", rank);
}

// What slice, pad and tile read first: x (argument 0), out (1) of x's element type, x's shape (2).
struct Source {
  Args::Typed x;
  Args::Typed out;
  std::vector<int64_t> shape;
};

Source source_args(const Args& a) {
  Source s{a.typed(0, "x"), a.typed(1, "out"), {}};
  require_same_type(a, s.out, s.x, "out");
  s.shape = shape_arg(a, 2);
  return s;
}

int64_t volume(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The [outer, sizes, inner] view of concat and split, checked: every part holds its piece.
struct CheckedParts {
  std::vector<int64_t> sizes;
  Parts parts;
};

CheckedParts parts_args(const Args& a, size_t i, const std::vector<Args::Typed>& pieces, const Args::Typed& whole) {
  CheckedParts c;
  const int64_t outer = a.i64(i, "outer"), inner = a.i64(i + 1, "inner");
  c.sizes = dims(a, i + 2, "sizes", pieces.size());
  int64_t total = 0;
  for (size_t j = 0; j < pieces.size(); ++j) {
    require_same_type(a, pieces[j], whole, "each part");
    a.require_length(pieces[j], outer * c.sizes[j] * inner, "each part");
    total += c.sizes[j];
  }
  a.require_length(whole, outer * total * inner, "the whole");
  c.parts = Parts{outer, inner, c.sizes.data(), static_cast<int>(c.sizes.size())};
  return c;
}

#define BINDING(NAME) napi_value NAME(napi_env env, napi_callback_info info)

// slice(x, out, shape, begin, size): out = x[begin : begin + size].
BINDING(Slice) {
  return guarded(env, [&] {
    Args a(env, info, "slice", 5);
    const auto [x, out, shape] = source_args(a);
    const auto begin = dims(a, 3, "begin", shape.size()), size = dims(a, 4, "size", shape.size());
    for (size_t d = 0; d < shape.size(); ++d)
      if (begin[d] + size[d] > shape[d]) a.range_error("begin + size exceeds the shape on axis " + std::to_string(d));
    a.require_length(x, volume(shape), "x");
    a.require_length(out, volume(size), "out");
    slice(static_cast<int>(shape.size()), shape.data(), begin.data(), size.data(), x.data, out.data,
          elem_bytes(x.type));
    return undefined(env);
  });
}

// tile(x, out, shape, reps): out = x repeated reps[d] times along each dimension d.
BINDING(Tile) {
  return guarded(env, [&] {
    Args a(env, info, "tile", 4);
    const auto [x, out, shape] = source_args(a);
    if (shape.size() > static_cast<size_t>(kMaxCopyRank / 2)) a.range_error("rank over " + std::to_string(kMaxCopyRank / 2));
    const auto reps = dims(a, 3, "reps", shape.size());
    std::vector<int64_t> out_shape(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) out_shape[d] = shape[d] * reps[d];
    a.require_length(x, volume(shape), "x");
    a.require_length(out, volume(out_shape), "out");
    tile(static_cast<int>(shape.size()), shape.data(), reps.data(), x.data, out.data, elem_bytes(x.type));
    return undefined(env);
  });
}

// pad(x, out, shape, before, after, value): value is a one-element array of x's type.
BINDING(Pad) {
  return guarded(env, [&] {
    Args a(env, info, "pad", 6);
    const auto [x, out, shape] = source_args(a);
    auto value = a.typed(5, "value");
    require_same_type(a, value, x, "value");
    a.require_length(value, 1, "value");
    const auto before = dims(a, 3, "before", shape.size()), after = dims(a, 4, "after", shape.size());
    std::vector<int64_t> out_shape(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) out_shape[d] = before[d] + shape[d] + after[d];
    a.require_length(x, volume(shape), "x");
    a.require_length(out, volume(out_shape), "out");
    pad(static_cast<int>(shape.size()), shape.data(), before.data(), after.data(), x.data, out.data,
        elem_bytes(x.type), value.data);
    return undefined(env);
  });
}

// concat(parts[], out, outer, inner, sizes): out [outer, sum(sizes) * inner] = the parts
// [outer, sizes[i] * inner] side by side.
BINDING(Concat) {
  return guarded(env, [&] {
    Args a(env, info, "concat", 5);
    auto pieces = a.typed_list(0, "parts");
    auto out = a.typed(1, "out");
    const CheckedParts c = parts_args(a, 2, pieces, out);
    std::vector<const void*> sources;
    for (const auto& p : pieces) sources.push_back(p.data);
    concat(c.parts, sources.data(), out.data, elem_bytes(out.type));
    return undefined(env);
  });
}

// split(x, parts[], outer, inner, sizes): the inverse of concat.
BINDING(Split) {
  return guarded(env, [&] {
    Args a(env, info, "split", 5);
    auto x = a.typed(0, "x");
    auto pieces = a.typed_list(1, "parts");
    const CheckedParts c = parts_args(a, 2, pieces, x);
    std::vector<void*> targets;
    for (const auto& p : pieces) targets.push_back(p.data);
    split(c.parts, x.data, targets.data(), elem_bytes(x.type));
    return undefined(env);
  });
}

#undef BINDING

}  // namespace

void define_copy_bindings(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"slice", nullptr, Slice, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pad", nullptr, Pad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"concat", nullptr, Concat, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"split", nullptr, Split, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace samlab::napi
