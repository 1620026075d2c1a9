{
  "targets": [
    {
      "target_name": "samlab_native",
      "sources": [
        "native/src/threadpool.cc",
        "native/src/dispatch.cc",
        "native/src/gemm.cc",
        "native/src/gemm_kernel_generic.cc",
        "native/src/gemm_kernel_avx2.cc",
        "native/src/gemm_kernel_avx512.cc",
        "native/src/conv.cc",
        "native/src/conv_input_grad.cc",
        "native/src/winograd.cc",
        "native/src/pool.cc",
        "native/src/pool_2x2.cc",
        "native/src/elementwise.cc",
        "native/src/reduce.cc",
        "native/src/peak.cc",
        "native/src/batch_norm.cc",
        "native/src/batch_norm_relu.cc",
        "native/src/batch_norm_train.cc",
        "native/src/bias_relu.cc",
        "native/src/copy.cc",
        "native/napi/args.cc",
        "native/napi/copy_binding.cc",
        "native/napi/binding.cc",
        "native/napi/batch_norm_binding.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-O3", "-fvisibility=hidden", "-pthread"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CFLAGS": ["-O3"]
      }
    }
  ]
}
