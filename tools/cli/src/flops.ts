/**
 * Floating-point work of the matrix products and convolutions a profiled step ran, from the
 * shapes `tf.profile` records (multiply and add counted as two). Element-wise ops, reductions
 * and pooling are left out: they are a few percent of a training step's arithmetic.
 */
export interface ProfiledKernel {
  readonly name: string
  readonly inputShapes: ReadonlyArray<readonly number[] | null | undefined>
  readonly outputShapes: ReadonlyArray<readonly number[] | null | undefined>
}

const size = (shape: readonly number[] | null | undefined): number => (shape ?? []).reduce((a, b) => a * b, 1)

/** FLOPs of one kernel call; 0 for kernels that are not products or convolutions. */
export const kernelFlops = (k: ProfiledKernel): number => {
  const [a, b] = k.inputShapes
  const out = k.outputShapes[0]
  switch (k.name) {
    case "BatchMatMul":
    case "_FusedMatMul": {
      // out [..., M, N]; a holds batch x M x K elements whichever way it is transposed.
      if (!a || !out || out.length < 2) return 0
      const m = out[out.length - 2]!
      const k2 = (a[a.length - 1]! * a[a.length - 2]!) / m
      return 2 * size(out) * k2
    }
    case "Conv2D":
    case "FusedConv2D": {
      // filter [kh, kw, ci, co]: each output element is kh * kw * ci multiply-adds.
      if (!b || !out) return 0
      return 2 * size(out) * b[0]! * b[1]! * b[2]!
    }
    case "Conv2DBackpropInput": {
      // inputs (dy, filter): every dy element meets kh * kw * ci filter taps.
      if (!a || !b) return 0
      return 2 * size(a) * b[0]! * b[1]! * b[2]!
    }
    case "Conv2DBackpropFilter": {
      // inputs (x, dy), output the filter [kh, kw, ci, co]: every dy element meets kh * kw * ci inputs.
      if (!b || !out) return 0
      return 2 * size(b) * out[0]! * out[1]! * out[2]!
    }
    default:
      return 0
  }
}

export const stepFlops = (kernels: readonly ProfiledKernel[]): number => kernels.reduce((s, k) => s + kernelFlops(k), 0)
