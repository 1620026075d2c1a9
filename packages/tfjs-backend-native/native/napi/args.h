// Argument readers for the N-API bindings: each checks the JavaScript type and throws
// a JavaScript TypeError naming the function and argument when it does not fit.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace samlab::napi {

// Thrown inside a binding; the wrapper turns it into a pending JavaScript exception.
struct ArgError {
  enum Kind { Type, Range } kind;
  std::string message;
};

struct Args {
  napi_env env;
  const char* fn;
  std::vector<napi_value> argv;

  Args(napi_env env, napi_callback_info info, const char* fn, size_t expected);

  [[noreturn]] void type_error(size_t i, const char* what) const;
  [[noreturn]] void range_error(const std::string& what) const;

  template <typename T>
  struct Span {
    T* data;
    size_t length;
  };
  using F32 = Span<float>;
  using U8 = Span<uint8_t>;
  F32 f32(size_t i, const char* name) const;
  // A Uint8Array (how tfjs stores bool tensors).
  U8 u8(size_t i, const char* name) const;
  // A Float32Array, Int32Array or Uint8Array, and which.
  struct Typed {
    void* data;
    size_t length;
    napi_typedarray_type type;
  };
  Typed typed(size_t i, const char* name) const;
  // An array of Float32Arrays, Int32Arrays or Uint8Arrays.
  std::vector<Typed> typed_list(size_t i, const char* name) const;
  // Null or undefined give {nullptr, 0}.
  F32 optional_f32(size_t i, const char* name) const;
  std::vector<int32_t> i32_array(size_t i, const char* name) const;
  int32_t i32(size_t i, const char* name) const;
  int64_t i64(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  std::vector<F32> f32_list(size_t i, const char* name) const;

  // Throws RangeError unless `array` holds at least `needed` elements.
  template <typename A>
  void require_length(const A& array, int64_t needed, const char* name) const {
    require_count(array.length, needed, name);
  }
  void require_count(size_t length, int64_t needed, const char* name) const;
};

}  // namespace samlab::napi
