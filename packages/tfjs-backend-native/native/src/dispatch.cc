#include "dispatch.h"

#include <cstdlib>
#include <cstring>

namespace samlab {

namespace {
bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512f() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

Dispatch choose() {
  const char* force = std::getenv("SAMLAB_NATIVE_SIMD");
  const bool generic = force != nullptr && std::strcmp(force, "generic") == 0;
  const bool avx2_only = force != nullptr && std::strcmp(force, "avx2") == 0;
  if (!generic && !avx2_only && cpu_has_avx512f()) return Dispatch{Simd::Avx512, gemm_kernel_avx512(), gemm_kernel_avx512_narrow()};
  if (!generic && cpu_has_avx2_fma()) return Dispatch{Simd::Avx2, gemm_kernel_avx2(), gemm_kernel_avx2()};
  return Dispatch{Simd::Generic, gemm_kernel_generic(), gemm_kernel_generic()};
}
}  // namespace

const Dispatch& dispatch() {
  static const Dispatch d = choose();
  return d;
}

const char* simd_name(Simd s) { return s == Simd::Avx512 ? "avx512f" : s == Simd::Avx2 ? "avx2+fma" : "generic"; }

}  // namespace samlab
