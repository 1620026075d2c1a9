import type { NamedAttrMap } from "@tensorflow/tfjs-core"
import { NativeKernelError } from "../errors.js"

/**
 * Attribute checks of this backend's own kernels (no cpu twin to decline to): each throws a
 * NativeKernelError naming the kernel and the attribute.
 */

/** A boolean attribute. */
export const flag = (kernel: string, attrs: NamedAttrMap, name: string): boolean => {
  const v = attrs[name]
  if (typeof v !== "boolean") throw new NativeKernelError(kernel, `attribute "${name}" must be a boolean, got ${String(v)}`)
  return v
}

/** A number attribute that passes `check`; `what` says what it must be ("a finite number"). */
export const numberAttr = (kernel: string, attrs: NamedAttrMap, name: string, check: (v: number) => boolean, what: string): number => {
  const v = attrs[name]
  if (typeof v !== "number" || !check(v)) throw new NativeKernelError(kernel, `attribute "${name}" must be ${what}, got ${String(v)}`)
  return v
}

/** A number attribute in [0, atMost]. */
export const positive = (kernel: string, attrs: NamedAttrMap, name: string, atMost = Number.POSITIVE_INFINITY): number =>
  numberAttr(kernel, attrs, name, (v) => v >= 0 && v <= atMost, `a number in [0, ${atMost}]`)
