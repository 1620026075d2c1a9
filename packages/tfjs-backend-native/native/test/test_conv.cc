// Convolutions (forward, input and filter gradients) on the direct paths against double-precision loops:
// strides, dilations, asymmetric padding, 1x1 and non-square filters; and the same bits
// whatever the thread count.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
#include "../src/conv.h"
#include "../src/threadpool.h"
#include "../src/winograd.h"
using namespace samlab;
static void ref_fwd(const ConvGeometry& g, const float* x, const float* w, float* y) {
  for (int b = 0; b < g.batch; ++b) for (int oy = 0; oy < g.out_h; ++oy) for (int ox = 0; ox < g.out_w; ++ox) for (int co = 0; co < g.out_c; ++co) {
    double s = 0;
    for (int ky = 0; ky < g.filter_h; ++ky) for (int kx = 0; kx < g.filter_w; ++kx) {
      int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h, ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
      if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
      for (int ci = 0; ci < g.in_c; ++ci) s += (double)x[((b * g.in_h + iy) * g.in_w + ix) * g.in_c + ci] * w[((ky * g.filter_w + kx) * g.in_c + ci) * g.out_c + co];
    }
    y[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + co] = s;
  }
}
// Gradients by the adjoint: dx[i] = sum_o dy[o] dY[o]/dx[i], via the forward's structure.
static void ref_bwd(const ConvGeometry& g, const float* x, const float* w, const float* dy, float* dx, float* dw) {
  std::vector<double> DX(g.in_size(), 0), DW(g.filter_size(), 0);
  for (int b = 0; b < g.batch; ++b) for (int oy = 0; oy < g.out_h; ++oy) for (int ox = 0; ox < g.out_w; ++ox) for (int co = 0; co < g.out_c; ++co) {
    double d = dy[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + co];
    for (int ky = 0; ky < g.filter_h; ++ky) for (int kx = 0; kx < g.filter_w; ++kx) {
      int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h, ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
      if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
      for (int ci = 0; ci < g.in_c; ++ci) {
        size_t xi = ((b * g.in_h + iy) * g.in_w + ix) * g.in_c + ci, wi = ((ky * g.filter_w + kx) * g.in_c + ci) * g.out_c + co;
        DX[xi] += d * w[wi]; DW[wi] += d * x[xi];
      }
    }
  }
  for (size_t i = 0; i < DX.size(); ++i) dx[i] = DX[i];
  for (size_t i = 0; i < DW.size(); ++i) dw[i] = DW[i];
}
static double maxerr(const std::vector<float>& a, const std::vector<float>& b) { double e = 0; for (size_t i = 0; i < a.size(); ++i) e = std::max(e, (double)std::fabs(a[i] - b[i])); return e; }
int main() {
  std::mt19937 rng(3); std::uniform_real_distribution<float> u(-1, 1);
  int failures = 0;
  // The direct paths (test_winograd covers the Winograd one, which would otherwise take the 3x3 stride-1 cases).
  set_winograd_mode(WinogradMode::Never);
  // batch in_h in_w in_c out_c fh fw sh sw dh dw pad_top pad_left (out computed 'explicit')
  int cases[][13] = {{2,7,6,3,5,3,3,1,1,1,1,1,1},{1,9,9,4,3,3,2,2,2,1,1,0,1},{3,8,8,5,7,3,3,1,1,2,2,2,2},{2,5,5,2,2,1,1,1,1,1,1,0,0},{1,11,7,3,4,5,3,3,2,1,1,2,1},{2,6,6,8,9,2,2,2,2,1,1,0,0},{1,4,4,3,2,3,3,1,1,1,1,0,0},{2,10,10,33,17,3,3,1,1,1,1,1,1},
    // narrow outputs: the in-place stride-1 path where the CPU has AVX-512
    {2,9,11,16,16,3,3,1,1,1,1,1,1},{1,10,7,5,13,3,3,1,1,1,1,0,0},{2,6,5,7,48,3,3,1,1,1,1,1,1},{2,33,31,3,16,3,3,1,1,1,1,1,1},{2,11,9,16,16,3,3,2,2,1,1,1,1},
    // and the in-place stride-1 filter gradient (at least 256 padded output pixels), narrow and wide
    {2,17,19,16,16,3,3,1,1,1,1,1,1},{1,16,16,32,37,3,3,1,1,1,1,1,1},{2,18,17,9,32,3,3,1,1,1,1,0,0},
    // wide outputs in place (12x32 tile, outputs at least 14 wide), channels not multiples of 16
    {2,15,17,35,70,3,3,1,1,1,1,1,1},{1,16,14,64,64,3,3,1,1,1,1,1,1},{2,18,20,33,65,3,3,1,1,1,1,0,0},
    // filter gradient in image groups (288 padded pixels: groups of 8, the last one short)
    {10,16,16,8,33,3,3,1,1,1,1,1,1},
    // strided input gradients by phases: odd sizes, batch 1, 1x1 (unreached phases), stride 3,
    // mixed strides, filters smaller than the stride, wide phases in place, dilated (col2im)
    {1,9,9,8,12,3,3,2,2,1,1,1,1},{2,10,11,20,9,3,3,2,2,1,1,0,1},{2,8,8,16,24,1,1,2,2,1,1,0,0},{1,13,11,9,5,5,5,3,3,1,1,2,2},
    {2,7,9,10,6,3,2,2,3,1,1,1,0},{1,12,12,9,7,2,2,3,3,1,1,0,0},{2,33,30,70,37,3,3,2,2,1,1,1,1},{1,11,11,9,4,3,3,2,2,2,2,2,2},
    // strided filter gradients in place (output rows of 8 or more, 64 or more pixels): batch 1,
    // channels not multiples of 16, narrow and wide tiles, 1x1 in groups (the last one short), mixed strides
    {1,17,17,16,32,3,3,2,2,1,1,1,1},{3,19,21,5,16,3,3,2,2,1,1,1,1},{40,16,16,7,20,1,1,2,2,1,1,0,0},{2,25,40,9,33,3,3,3,2,1,1,1,1}};
  for (auto& c : cases) {
    ConvGeometry g{c[0],c[1],c[2],c[3],0,0,c[4],c[5],c[6],c[7],c[8],c[9],c[10],c[11],c[12]};
    int eff_h = (g.filter_h - 1) * g.dilation_h + 1, eff_w = (g.filter_w - 1) * g.dilation_w + 1;
    g.out_h = (g.in_h + 2 * g.pad_top - eff_h) / g.stride_h + 1; g.out_w = (g.in_w + 2 * g.pad_left - eff_w) / g.stride_w + 1;
    std::vector<float> x(g.in_size()), w(g.filter_size()), dy(g.out_size()), y(g.out_size()), yr(g.out_size()), dx(g.in_size()), dxr(g.in_size()), dw(g.filter_size()), dwr(g.filter_size());
    for (auto& v : x) v = u(rng);
    for (auto& v : w) v = u(rng);
    for (auto& v : dy) v = u(rng);
    conv2d_forward(g, x.data(), w.data(), y.data()); ref_fwd(g, x.data(), w.data(), yr.data());
    conv2d_backprop_input(g, dy.data(), w.data(), dx.data()); conv2d_backprop_filter(g, x.data(), dy.data(), dw.data());
    ref_bwd(g, x.data(), w.data(), dy.data(), dxr.data(), dwr.data());
    const double e1 = maxerr(y, yr), e2 = maxerr(dx, dxr), e3 = maxerr(dw, dwr);
    if (e1 > 1e-4 || e2 > 1e-4 || e3 > 1e-4) ++failures;
    printf("geom b%d %dx%dx%d->%d f%dx%d s%d,%d d%d,%d p%d,%d out %dx%d: fwd %.1e dx %.1e dw %.1e\n", g.batch, g.in_h, g.in_w, g.in_c, g.out_c, g.filter_h, g.filter_w, g.stride_h, g.stride_w, g.dilation_h, g.dilation_w, g.pad_top, g.pad_left, g.out_h, g.out_w, e1, e2, e3);
  }
  // Every path's reductions have a fixed order: the same bits with 1, 2 or 3 threads.
  int thread_cases[][13] = {{3,16,16,24,40,3,3,1,1,1,1,1,1},{10,16,16,8,33,3,3,1,1,1,1,1,1},{2,15,17,35,70,3,3,1,1,1,1,1,1},{3,18,17,20,9,3,3,2,2,1,1,1,1},{2,9,9,40,64,3,3,1,1,1,1,1,1},{20,32,32,16,32,3,3,2,2,1,1,1,1},{70,16,16,32,64,1,1,2,2,1,1,0,0}};
  for (auto& c : thread_cases) {
    ConvGeometry g{c[0],c[1],c[2],c[3],0,0,c[4],c[5],c[6],c[7],c[8],c[9],c[10],c[11],c[12]};
    g.out_h = (g.in_h + 2 * g.pad_top - g.filter_h) / g.stride_h + 1; g.out_w = (g.in_w + 2 * g.pad_left - g.filter_w) / g.stride_w + 1;
    std::vector<float> x(g.in_size()), w(g.filter_size()), dy(g.out_size());
    for (auto& v : x) v = u(rng);
    for (auto& v : w) v = u(rng);
    for (auto& v : dy) v = u(rng);
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      ThreadPool::resize_global(threads);
      std::vector<float> y(g.out_size()), dx(g.in_size()), dw(g.filter_size());
      conv2d_forward(g, x.data(), w.data(), y.data()); conv2d_backprop_input(g, dy.data(), w.data(), dx.data()); conv2d_backprop_filter(g, x.data(), dy.data(), dw.data());
      std::vector<float> all(y); all.insert(all.end(), dx.begin(), dx.end()); all.insert(all.end(), dw.begin(), dw.end());
      if (first.empty()) first = all;
      else if (std::memcmp(first.data(), all.data(), sizeof(float) * all.size()) != 0) { ++failures; printf("geom b%d %dx%dx%d->%d s%d: differs with %d threads\n", g.batch, g.in_h, g.in_w, g.in_c, g.out_c, g.stride_h, threads); }
    }
  }
  ThreadPool::resize_global(0);
  printf("%s\n", failures ? "conv: FAILED" : "conv: ok");
  return failures != 0;
}
