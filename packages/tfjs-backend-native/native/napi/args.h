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

  struct F32 {
    float* data;
    size_t length;
  };
  F32 f32(size_t i, const char* name) const;
  // Null or undefined give {nullptr, 0}.
  F32 optional_f32(size_t i, const char* name) const;
  std::vector<int32_t> i32_array(size_t i, const char* name) const;
  int32_t i32(size_t i, const char* name) const;
  int64_t i64(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  std::vector<F32> f32_list(size_t i, const char* name) const;

  // Throws RangeError unless `array` holds at least `needed` elements.
  void require_length(const F32& array, int64_t needed, const char* name) const;
};

}  // namespace samlab::napi
