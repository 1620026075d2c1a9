import { ModelSpecError } from "./errors.js"
import { positiveInt } from "./validate.js"

export type ImageShape = readonly [number, number, number]

/** CIFAR's 32 x 32 RGB, the default input of the image models. */
export const cifarImageShape: ImageShape = [32, 32, 3]

export const imageShape = (value: unknown, field: string): ImageShape => {
  if (!Array.isArray(value) || value.length !== 3) throw new ModelSpecError(field, `expected [height, width, channels], got ${JSON.stringify(value)}`)
  return [positiveInt(value[0], `${field}[0]`), positiveInt(value[1], `${field}[1]`), positiveInt(value[2], `${field}[2]`)]
}
