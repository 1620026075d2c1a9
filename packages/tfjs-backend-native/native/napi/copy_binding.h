// Bindings of the data-movement kernels (native/src/copy.h).
#pragma once

#include <node_api.h>

namespace samlab::napi {

// Adds slice, pad, tile, concat and split to `exports`.
void define_copy_bindings(napi_env env, napi_value exports);

}  // namespace samlab::napi
