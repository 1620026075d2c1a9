import { TaggedError } from "@samlab/core-tensor"

/** A tfjs-layers model samlab cannot adapt, or a bad argument to `fitWithMethod`, naming what and where. */
export class LayersAdapterError extends TaggedError("LayersAdapterError") {
  constructor(
    readonly where: string,
    readonly field: string,
    readonly problem: string
  ) {
    super(`${where}: ${field} ${problem}`)
  }
}
