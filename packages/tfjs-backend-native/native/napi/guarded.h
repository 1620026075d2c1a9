// The wrapper every binding body runs in: argument errors and C++ exceptions become pending
// JavaScript exceptions instead of crossing the N-API boundary.
#pragma once

#include <node_api.h>

#include <exception>
#include <new>

#include "args.h"

namespace samlab::napi {

inline napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

template <typename F>
napi_value guarded(napi_env env, F&& body) {
  try {
    return body();
  } catch (const ArgError& e) {
    if (e.kind == ArgError::Type) {
      napi_throw_type_error(env, "ERR_SAMLAB_NATIVE_ARG", e.message.c_str());
    } else {
      napi_throw_range_error(env, "ERR_SAMLAB_NATIVE_ARG", e.message.c_str());
    }
  } catch (const std::bad_alloc&) {
    napi_throw_error(env, "ERR_SAMLAB_NATIVE_OOM", "samlab native: out of memory");
  } catch (const std::exception& e) {
    napi_throw_error(env, "ERR_SAMLAB_NATIVE", e.what());
  }
  return nullptr;
}

}  // namespace samlab::napi
