import { NativeKernelError } from "../errors.js"
import { flag, numberAttr } from "./attrs.js"
import { floats, sameShape } from "./channel-inputs.js"
import type { NativeKernelSpec } from "./spec.js"
import { output, sizeOf } from "./values.js"

/**
 * This backend's own kernel (no cpu twin) for one step of core-tensor's `sgd` on one parameter
 * (PyTorch's fused SGD): {w, g, t?} with attrs {lr, weightDecay, momentum, nesterov} ->
 * [w', t'] with momentum (t the buffer, given exactly when momentum > 0), else [w']. One pass
 * where the chain runs weight decay, momentum, the learning rate and the apply as four, with
 * the same roundings, so bit for bit the chain's result. @samlab/core-tensor calls it by name
 * where it is registered for the active backend.
 */
export const sgdStepKernelName = "SamlabSgdStep"

export const sgdStepKernel: NativeKernelSpec = {
  kernelName: sgdStepKernelName,
  own: true,
  run: ({ inputs, backend, attrs }, addon) => {
    const k = sgdStepKernelName
    const lr = numberAttr(k, attrs, "lr", Number.isFinite, "a finite number")
    const weightDecay = numberAttr(k, attrs, "weightDecay", (v) => v >= 0 && Number.isFinite(v), "a finite number >= 0")
    const momentum = numberAttr(k, attrs, "momentum", (v) => v >= 0 && v < 1, "in [0, 1)")
    const nesterov = flag(k, attrs, "nesterov")
    const w = floats(k, backend, inputs["w"], "w")
    const g = floats(k, backend, inputs["g"], "g")
    sameShape(k, inputs["w"]!, inputs["g"]!, "g")
    const hasTrace = inputs["t"] !== undefined
    if (hasTrace !== momentum > 0)
      throw new NativeKernelError(k, `input "t" (the momentum buffer) must be given exactly when momentum > 0 (momentum ${momentum})`)
    if (nesterov && momentum === 0) throw new NativeKernelError(k, "nesterov needs momentum > 0")
    const t = hasTrace ? floats(k, backend, inputs["t"], "t") : null
    if (hasTrace) sameShape(k, inputs["w"]!, inputs["t"]!, "t")
    const shape = inputs["w"]!.shape
    const wOut = backend.allocFloat32(sizeOf(shape))
    const tOut = hasTrace ? backend.allocFloat32(sizeOf(shape)) : null
    addon.sgdStep(w, g, t, wOut, tOut, Math.fround(-lr), weightDecay, momentum, nesterov)
    return tOut === null ? [output(backend, shape, wOut)] : [output(backend, shape, wOut), output(backend, shape, tOut)]
  }
}
