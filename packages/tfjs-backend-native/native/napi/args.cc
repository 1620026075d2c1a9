#include "args.h"

namespace samlab::napi {

Args::Args(napi_env e, napi_callback_info info, const char* name, size_t expected) : env(e), fn(name) {
  size_t argc = expected;
  argv.resize(expected);
  napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
  if (argc < expected) {
    throw ArgError{ArgError::Type, std::string(fn) + ": expected " + std::to_string(expected) + " arguments, got " +
                                       std::to_string(argc)};
  }
}

void Args::type_error(size_t i, const char* what) const {
  throw ArgError{ArgError::Type, std::string(fn) + ": argument " + std::to_string(i) + " " + what};
}

void Args::range_error(const std::string& what) const { throw ArgError{ArgError::Range, std::string(fn) + ": " + what}; }

Args::F32 Args::f32(size_t i, const char* name) const {
  bool is_typed = false;
  napi_is_typedarray(env, argv[i], &is_typed);
  if (!is_typed) type_error(i, (std::string("(") + name + ") must be a Float32Array").c_str());
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr);
  if (type != napi_float32_array) type_error(i, (std::string("(") + name + ") must be a Float32Array").c_str());
  return F32{static_cast<float*>(data), length};
}

Args::U8 Args::u8(size_t i, const char* name) const {
  const Typed t = typed(i, name);
  if (t.type != napi_uint8_array) type_error(i, (std::string("(") + name + ") must be a Uint8Array").c_str());
  return U8{static_cast<uint8_t*>(t.data), t.length};
}

namespace {
// Fills `t` when `value` is a Float32Array, Int32Array or Uint8Array.
bool typed_info(napi_env env, napi_value value, Args::Typed& t) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return false;
  napi_get_typedarray_info(env, value, &t.type, &t.length, &t.data, nullptr, nullptr);
  return t.type == napi_float32_array || t.type == napi_int32_array || t.type == napi_uint8_array;
}
}  // namespace

Args::Typed Args::typed(size_t i, const char* name) const {
  Typed t{nullptr, 0, napi_int8_array};
  if (!typed_info(env, argv[i], t))
    type_error(i, (std::string("(") + name + ") must be a Float32Array, Int32Array or Uint8Array").c_str());
  return t;
}

std::vector<Args::Typed> Args::typed_list(size_t i, const char* name) const {
  bool is_array = false;
  napi_is_array(env, argv[i], &is_array);
  uint32_t n = 0;
  if (is_array) napi_get_array_length(env, argv[i], &n);
  std::vector<Typed> out(n, Typed{nullptr, 0, napi_int8_array});
  for (uint32_t j = 0; j < n && is_array; ++j) {
    napi_value el;
    napi_get_element(env, argv[i], j, &el);
    is_array = typed_info(env, el, out[j]);
  }
  if (!is_array) type_error(i, (std::string("(") + name + ") must be an array of Float32Array, Int32Array or Uint8Array").c_str());
  return out;
}

Args::F32 Args::optional_f32(size_t i, const char* name) const {
  napi_valuetype t;
  napi_typeof(env, argv[i], &t);
  if (t == napi_null || t == napi_undefined) return F32{nullptr, 0};
  return f32(i, name);
}

std::vector<int32_t> Args::i32_array(size_t i, const char* name) const {
  bool is_typed = false;
  napi_is_typedarray(env, argv[i], &is_typed);
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (is_typed) napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr);
  if (!is_typed || type != napi_int32_array) type_error(i, (std::string("(") + name + ") must be an Int32Array").c_str());
  const int32_t* p = static_cast<const int32_t*>(data);
  return std::vector<int32_t>(p, p + length);
}

double Args::number(size_t i, const char* name) const {
  double v = 0;
  if (napi_get_value_double(env, argv[i], &v) != napi_ok) type_error(i, (std::string("(") + name + ") must be a number").c_str());
  return v;
}

int32_t Args::i32(size_t i, const char* name) const {
  const double v = number(i, name);
  if (v != static_cast<double>(static_cast<int32_t>(v))) range_error(std::string(name) + " must be a 32-bit integer");
  return static_cast<int32_t>(v);
}

int64_t Args::i64(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!(v >= 0 && v <= 9007199254740991.0) || v != static_cast<double>(static_cast<int64_t>(v)))
    range_error(std::string(name) + " must be a non-negative integer");
  return static_cast<int64_t>(v);
}

bool Args::boolean(size_t i, const char* name) const {
  bool v = false;
  if (napi_get_value_bool(env, argv[i], &v) != napi_ok) type_error(i, (std::string("(") + name + ") must be a boolean").c_str());
  return v;
}

std::vector<Args::F32> Args::f32_list(size_t i, const char* name) const {
  bool is_array = false;
  napi_is_array(env, argv[i], &is_array);
  if (!is_array) type_error(i, (std::string("(") + name + ") must be an array of Float32Array").c_str());
  uint32_t n = 0;
  napi_get_array_length(env, argv[i], &n);
  std::vector<F32> out;
  out.reserve(n);
  for (uint32_t j = 0; j < n; ++j) {
    napi_value el;
    napi_get_element(env, argv[i], j, &el);
    bool is_typed = false;
    napi_is_typedarray(env, el, &is_typed);
    napi_typedarray_type type = napi_int8_array;
    size_t length = 0;
    void* data = nullptr;
    if (is_typed) napi_get_typedarray_info(env, el, &type, &length, &data, nullptr, nullptr);
    if (!is_typed || type != napi_float32_array) type_error(i, (std::string("(") + name + ") must hold only Float32Arrays").c_str());
    out.push_back(F32{static_cast<float*>(data), length});
  }
  return out;
}

void Args::require_count(size_t length, int64_t needed, const char* name) const {
  if (needed < 0 || static_cast<uint64_t>(length) < static_cast<uint64_t>(needed)) {
    range_error(std::string(name) + " has " + std::to_string(length) + " elements, " + std::to_string(needed) +
                " needed");
  }
}

}  // namespace samlab::napi
