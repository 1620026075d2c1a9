// Winograd F(2x2, 3x3) (forward, input gradient, filter gradient) against double-precision
// loops on random 3x3 stride-1 geometries: odd and tiny images, batch 1, same/valid/explicit
// and asymmetric padding, channel counts off the micro-tile widths; the same bits with 1, 2
// or 3 threads; and the selection rule.
//
// Tolerance: errors are measured against S = the largest sum of |terms| of any output's dot
// product in the tensor (sum |x||w|, |dy||w| or |x||dy|), the scale float32 rounding works at.
// Per-output bounds do not hold: the transforms mix a tile's 16 inputs (or a filter's 9 taps),
// so an output whose exact value is 0 (a tap that never meets the image) still carries rounding
// of its neighbours. The transforms scale terms by small constants (|B^T| rows sum to at most 2,
// |G| to 1.5, |A^T| to 3 per dimension) and sums run over in_c (forward, input gradient) or a
// chunk of tiles (filter gradient), seen as random walks: 32 ulps of S is a safe bound (the runs
// stay under a few), and a wrong transform, tile position or border gives errors of order S.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../src/conv.h"
#include "../src/threadpool.h"
#include "../src/winograd.h"
using namespace samlab;

namespace {

struct Ref {
  std::vector<double> y, dx, dw;     // exact (double) results
  std::vector<double> sy, sdx, sdw;  // sums of |terms|
};

Ref reference(const ConvGeometry& g, const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& dy) {
  Ref r{std::vector<double>(g.out_size()), std::vector<double>(g.in_size()), std::vector<double>(g.filter_size()),
        std::vector<double>(g.out_size()), std::vector<double>(g.in_size()), std::vector<double>(g.filter_size())};
  for (int b = 0; b < g.batch; ++b)
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox)
        for (int co = 0; co < g.out_c; ++co) {
          const size_t yi = ((size_t(b) * g.out_h + oy) * g.out_w + ox) * g.out_c + co;
          const double d = dy[yi];
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = oy - g.pad_top + ky, ix = ox - g.pad_left + kx;
              if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
              for (int ci = 0; ci < g.in_c; ++ci) {
                const size_t xi = ((size_t(b) * g.in_h + iy) * g.in_w + ix) * g.in_c + ci;
                const size_t wi = ((size_t(ky) * 3 + kx) * g.in_c + ci) * g.out_c + co;
                r.y[yi] += double(x[xi]) * w[wi];
                r.sy[yi] += std::fabs(double(x[xi]) * w[wi]);
                r.dx[xi] += d * w[wi];
                r.sdx[xi] += std::fabs(d * w[wi]);
                r.dw[wi] += d * x[xi];
                r.sdw[wi] += std::fabs(d * x[xi]);
              }
            }
        }
  return r;
}

// Largest error in units of S (see above) and relative to the largest |exact value|.
struct Err {
  double in_s = 0, rel = 0;
};
Err error(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& s) {
  double peak = 0, worst = 0, scale = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - want[i]));
    peak = std::max(peak, std::fabs(want[i]));
    scale = std::max(scale, s[i]);
  }
  return Err{scale > 0 ? worst / scale : worst, peak > 0 ? worst / peak : worst};
}

ConvGeometry geometry(int batch, int h, int w, int c, int n, int pad_top, int pad_left, int pad_bottom, int pad_right) {
  return ConvGeometry{batch, h, w, c, h + pad_top + pad_bottom - 2, w + pad_left + pad_right - 2, n, 3, 3, 1, 1, 1, 1, pad_top, pad_left};
}

}  // namespace

int main() {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  auto pick = [&](std::initializer_list<int> v) { return *(v.begin() + std::uniform_int_distribution<int>(0, int(v.size()) - 1)(rng)); };
  int failures = 0;
  const double eps = std::ldexp(1.0, -24), tol = 32 * eps;
  set_winograd_mode(WinogradMode::Always);
  std::vector<ConvGeometry> cases = {
      geometry(1, 1, 1, 3, 5, 1, 1, 1, 1),       // one pixel, 'same'
      geometry(1, 3, 3, 4, 4, 0, 0, 0, 0),       // 'valid', one output
      geometry(2, 7, 9, 16, 32, 1, 1, 1, 1),     // odd sizes, 'same'
      geometry(1, 8, 8, 33, 17, 0, 0, 0, 0),     // 'valid', even input, 6x6 output
      geometry(3, 6, 5, 5, 40, 2, 2, 2, 2),      // explicit 2
      geometry(2, 9, 6, 8, 12, 0, 1, 1, 0),      // asymmetric
      geometry(1, 5, 7, 12, 9, 3, 0, 1, 3),      // padding past the filter (input gradient starts inside dy)
      geometry(10, 16, 16, 16, 16, 1, 1, 1, 1),  // several filter-gradient chunks
      geometry(8, 16, 15, 64, 64, 1, 1, 1, 1),   // and several blocks of tiles per chunk
  };
  for (int i = 0; i < 16; ++i) {
    const int pt = pick({0, 1, 2}), pl = pick({0, 1, 2}), pb = pick({0, 1, 2}), pr = pick({0, 1, 2});
    const int h = std::uniform_int_distribution<int>(std::max(1, 3 - pt - pb), 13)(rng);
    const int w = std::uniform_int_distribution<int>(std::max(1, 3 - pl - pr), 13)(rng);
    cases.push_back(geometry(pick({1, 2, 3}), h, w, pick({1, 3, 16, 17, 33, 64}), pick({1, 7, 16, 32, 40, 64}), pt, pl, pb, pr));
  }
  double worst_rel[3] = {0, 0, 0};
  for (const ConvGeometry& g : cases) {
    if (!winograd_use(g, ConvPass::Forward) || !winograd_use(g, ConvPass::InputGrad) || !winograd_use(g, ConvPass::FilterGrad)) {
      ++failures;
      printf("b%d %dx%dx%d->%d: not on the Winograd path\n", g.batch, g.in_h, g.in_w, g.in_c, g.out_c);
      continue;
    }
    std::vector<float> x(g.in_size()), w(g.filter_size()), dy(g.out_size()), y(g.out_size()), dx(g.in_size()), dw(g.filter_size());
    for (auto& v : x) v = u(rng);
    for (auto& v : w) v = u(rng);
    for (auto& v : dy) v = u(rng);
    conv2d_forward(g, x.data(), w.data(), y.data());
    conv2d_backprop_input(g, dy.data(), w.data(), dx.data());
    conv2d_backprop_filter(g, x.data(), dy.data(), dw.data());
    const Ref r = reference(g, x, w, dy);
    const Err e[3] = {error(y, r.y, r.sy), error(dx, r.dx, r.sdx), error(dw, r.dw, r.sdw)};
    const bool bad = e[0].in_s > tol || e[1].in_s > tol || e[2].in_s > tol;
    failures += bad;
    for (int k = 0; k < 3; ++k) worst_rel[k] = std::max(worst_rel[k], e[k].rel);
    printf("%sb%d %dx%dx%d->%d pad t%d l%d out %dx%d: err/S (ulps) fwd %.1f dx %.1f dw %.1f; max rel fwd %.1e dx %.1e dw %.1e\n",
           bad ? "FAIL " : "", g.batch, g.in_h, g.in_w, g.in_c, g.out_c, g.pad_top, g.pad_left, g.out_h, g.out_w, e[0].in_s / eps,
           e[1].in_s / eps, e[2].in_s / eps, e[0].rel, e[1].rel, e[2].rel);
  }
  printf("max relative error vs float64 (F(2x2,3x3)): fwd %.1e dx %.1e dw %.1e\n", worst_rel[0], worst_rel[1], worst_rel[2]);

  // Fixed-order sums: the same bits with 1, 2 or 3 threads (several filter-gradient chunks, odd tail).
  for (const ConvGeometry& g : {geometry(11, 15, 17, 24, 40, 1, 1, 1, 1), geometry(3, 8, 8, 64, 128, 1, 1, 1, 1)}) {
    std::vector<float> x(g.in_size()), w(g.filter_size()), dy(g.out_size());
    for (auto& v : x) v = u(rng);
    for (auto& v : w) v = u(rng);
    for (auto& v : dy) v = u(rng);
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      ThreadPool::resize_global(threads);
      std::vector<float> y(g.out_size()), dx(g.in_size()), dw(g.filter_size());
      conv2d_forward(g, x.data(), w.data(), y.data());
      conv2d_backprop_input(g, dy.data(), w.data(), dx.data());
      conv2d_backprop_filter(g, x.data(), dy.data(), dw.data());
      std::vector<float> all(y);
      all.insert(all.end(), dx.begin(), dx.end());
      all.insert(all.end(), dw.begin(), dw.end());
      if (first.empty()) {
        first = all;
      } else if (std::memcmp(first.data(), all.data(), sizeof(float) * all.size()) != 0) {
        ++failures;
        printf("b%d %dx%dx%d->%d: differs with %d threads\n", g.batch, g.in_h, g.in_w, g.in_c, g.out_c, threads);
      }
    }
  }
  ThreadPool::resize_global(0);
  set_winograd_mode(WinogradMode::Auto);

  // The selection rule: never strided, non-3x3 or on the 3-channel first layer.
  ConvGeometry strided = geometry(8, 16, 16, 32, 64, 1, 1, 1, 1);
  strided.stride_h = strided.stride_w = 2;
  strided.out_h = strided.out_w = 8;
  ConvGeometry one = geometry(8, 16, 16, 32, 64, 0, 0, 0, 0);
  one.filter_h = one.filter_w = 1;
  one.out_h = one.out_w = 16;
  // Nor with 16 channels (the 16-wide ResNet stage); but on the small CNN's 32->64 and 64->128 layers.
  for (const ConvGeometry& g : {strided, one, geometry(128, 32, 32, 3, 32, 1, 1, 1, 1), geometry(128, 32, 32, 16, 16, 1, 1, 1, 1)})
    for (ConvPass pass : {ConvPass::Forward, ConvPass::InputGrad, ConvPass::FilterGrad})
      if (winograd_selected(g, pass)) {
        ++failures;
        printf("selected where it must not be: %dx%d filter, stride %d, in_c %d\n", g.filter_h, g.filter_w, g.stride_h, g.in_c);
      }
  for (const ConvGeometry& g : {geometry(128, 16, 16, 32, 64, 1, 1, 1, 1), geometry(128, 8, 8, 64, 128, 1, 1, 1, 1)})
    for (ConvPass pass : {ConvPass::Forward, ConvPass::InputGrad, ConvPass::FilterGrad})
      if (!winograd_selected(g, pass)) {
        ++failures;
        printf("not selected: %dx%d, %d->%d\n", g.in_h, g.in_w, g.in_c, g.out_c);
      }
  printf("%s\n", failures ? "winograd: FAILED" : "winograd: ok");
  return failures != 0;
}
