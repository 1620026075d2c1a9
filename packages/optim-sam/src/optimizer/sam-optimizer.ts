import * as tf from "@tensorflow/tfjs-core"
import { nonFiniteParams } from "@samlab/core-tensor"
import { type VariableSnapshot, disposeVariableSnapshot, restoreVariables, snapshotVariables } from "@samlab/core-tensor/internal"
import { NonFiniteUpdateError, SamConfigError } from "../errors.js"
import { checkChunkSize, checkRho } from "../options.js"
import { perturbation } from "../perturbation.js"
import { checkAlpha, sanerGradient } from "../saner.js"
import { type ChunkContext, chunkWeights } from "./chunks.js"
import { collectKept, releaseToCallerScope } from "./kept-tensors.js"
import { nonTrainableVariables } from "./state-variables.js"

type NamedGrads = Record<string, tf.Tensor>
/** `{ name, tensor }`, as `tf.train.Optimizer.applyGradients` takes (tfjs-core does not export the type). */
type NamedTensor = { name: string; tensor: tf.Tensor }
type ConfigDict = tf.serialization.ConfigDict

export interface SAMOptimizerOptions {
  /** The optimizer that makes the step (tf.train.sgd, momentum, adam...). */
  readonly base: tf.Optimizer
  /** Perturbation radius (default 0.05); 0 gives exactly the base optimizer. */
  readonly rho?: number
  /** ASAM: eps = rho * w^2 g / || |w| g ||. */
  readonly adaptive?: boolean
  /**
   * m-sharpness: one perturbation per m examples. The loss closure must weight its
   * per-example losses by `chunkWeights` (with tfjs-layers: compile with
   * `loss: optimizer.chunkedLoss(perExampleLoss)`). Costs 2 full-batch passes per chunk.
   */
  readonly chunkSize?: number
  /** PyTorch-style weight decay `g + wd * w`, added at the unperturbed w before the base step (default 0). */
  readonly weightDecay?: number
  /**
   * SANER (Luong et al. 2024): when set, the coordinates SAM already shrinks
   * (`0 < gs / (g0 + 1e-8) < 1`, group B) get `alpha * gs`. Whole batch only (no `chunkSize`).
   */
  readonly alpha?: number
  /**
   * Check the updated variables after every step and throw `NonFiniteUpdateError` (which
   * rejects `model.fit`) when one holds a NaN or an infinity (default false: one extra host
   * read per step). Without it a diverged model trains on, with NaN losses in fit's logs.
   */
  readonly checkFinite?: boolean
}

/**
 * SAM as a drop-in `tf.train.Optimizer` (works with tfjs-layers `model.compile`/`model.fit`).
 * Each step evaluates the loss closure twice (per chunk): gradient g0 at w; save the
 * trainable variables, move them to `w + eps`; gradient there; put back the exact saved
 * values; base step with that gradient. Non-trainable variables (batch-norm moving
 * statistics) are restored after every extra pass, so they move once per step, as with a
 * single forward pass. With `alpha`, SANER. Serialisable (`getConfig`/`fromConfig`, registered as "SAMOptimizer").
 */
export class SAMOptimizer extends tf.Optimizer {
  static get className(): string {
    return "SAMOptimizer"
  }

  readonly base: tf.Optimizer
  readonly rho: number
  readonly adaptive: boolean
  readonly chunkSize: number | undefined
  readonly weightDecay: number
  readonly alpha: number | undefined
  readonly checkFinite: boolean
  private chunk: ChunkContext | undefined
  private lastGroupBShare: number | undefined

  constructor(options: SAMOptimizerOptions) {
    super()
    if (options.base === undefined || typeof options.base.applyGradients !== "function") {
      throw new SamConfigError("SAMOptimizer", "base", "must be a tf.train optimizer (e.g. tf.train.momentum(0.1, 0.9))")
    }
    const wd = options.weightDecay ?? 0
    if (!(wd >= 0 && Number.isFinite(wd))) throw new SamConfigError("SAMOptimizer", "weightDecay", `must be a finite number >= 0, got ${wd}`)
    this.base = options.base
    this.rho = checkRho(options.rho ?? 0.05, "SAMOptimizer")
    this.adaptive = options.adaptive ?? false
    this.chunkSize = checkChunkSize(options.chunkSize, "SAMOptimizer")
    this.weightDecay = wd
    this.alpha = options.alpha === undefined ? undefined : checkAlpha(options.alpha, "SAMOptimizer")
    this.checkFinite = options.checkFinite ?? false
    if (this.alpha !== undefined && this.chunkSize !== undefined)
      throw new SamConfigError("SAMOptimizer", "chunkSize", "is not supported with alpha (SANER is whole-batch)")
  }

  /** With `alpha` (SANER): the share of coordinates in group B at the last step; else undefined. */
  get groupBShare(): number | undefined {
    return this.lastGroupBShare
  }

  /**
   * Per-example loss weights for the chunk being computed (`batch/m` on its rows, 0
   * elsewhere), or undefined outside a chunked pass. For custom loss closures.
   */
  chunkWeights(batchSize: number): tf.Tensor1D | undefined {
    return this.chunk === undefined ? undefined : chunkWeights(this.chunk, batchSize, "SAMOptimizer")
  }

  /** Wraps a per-example loss `(yTrue, yPred) => [batch]` so m-sharpness works inside `model.fit`. */
  chunkedLoss(perExampleLoss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
    return (yTrue, yPred) => {
      const losses = perExampleLoss(yTrue, yPred)
      const w = this.chunkWeights(losses.shape[0]!)
      return w === undefined ? losses : tf.mul(losses, w)
    }
  }

  override computeGradients(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: NamedGrads } {
    const vars = (varList ?? Object.values(tf.engine().registeredVariables)).filter((v) => v.trainable)
    const extraKept: tf.Tensor[] = []
    let states: VariableSnapshot | undefined
    let gradSum: NamedGrads | undefined
    let valueSum: tf.Scalar | undefined
    let chunks = 1
    try {
      for (let c = 0; c < chunks; c++) {
        if (this.chunkSize !== undefined) this.chunk = { index: c, chunkSize: this.chunkSize, batchSize: this.chunk?.batchSize }
        const first = c === 0 ? tf.variableGrads(f, vars) : this.extraPass(f, vars, extraKept)
        valueSum = accumulate(valueSum && { v: valueSum }, { v: first.value })["v"] as tf.Scalar
        try {
          if (c === 0) {
            states = snapshotVariables(nonTrainableVariables())
            chunks = this.countChunks()
          } else {
            restoreVariables(states!)
          }
          gradSum = accumulate(gradSum, this.sanerScaled(first.grads, this.perturbedPass(f, vars, first.grads, states!, extraKept)))
        } finally {
          tf.dispose(first.grads)
        }
      }
      if (chunks === 1) return { value: valueSum!, grads: gradSum! }
      const mean = tf.tidy(() => ({ value: tf.div(valueSum!, chunks) as tf.Scalar, grads: mapValues(gradSum!, (g) => tf.div(g, chunks)) }))
      tf.dispose([valueSum!, ...Object.values(gradSum!)])
      return mean
    } catch (e) {
      tf.dispose([...(valueSum ? [valueSum] : []), ...Object.values(gradSum ?? {})])
      throw e
    } finally {
      this.chunk = undefined
      disposeVariableSnapshot(states)
      releaseToCallerScope(extraKept)
    }
  }

  /** Base step, with the decoupled-from-the-perturbation weight decay added at w. */
  override applyGradients(variableGradients: NamedGrads | NamedTensor[]): void {
    const list: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }))
    this.applyBaseGradients(variableGradients, list)
    if (!this.checkFinite) return
    const registered = tf.engine().registeredVariables
    const bad = nonFiniteParams(Object.fromEntries(list.filter(({ name }) => registered[name]).map(({ name }) => [name, registered[name]!])))
    if (bad.length > 0) throw new NonFiniteUpdateError(this.iterations, bad)
  }

  private applyBaseGradients(variableGradients: NamedGrads | NamedTensor[], list: NamedTensor[]): void {
    if (this.weightDecay === 0) return this.base.applyGradients(variableGradients)
    const registered = tf.engine().registeredVariables
    const decayed = list.map(({ name, tensor }) => ({
      name,
      tensor: tensor == null ? tensor : tf.tidy(() => tf.add(tensor, tf.mul(registered[name]!, this.weightDecay)))
    }))
    try {
      this.base.applyGradients(decayed)
    } finally {
      for (const d of decayed) d.tensor?.dispose()
    }
  }

  override get iterations(): number {
    return this.base.iterations
  }

  override dispose(): void {
    this.base.dispose()
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return this.base.getWeights()
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    return this.base.setWeights(weightValues)
  }

  override getConfig(): ConfigDict {
    const baseClass = (this.base.constructor as unknown as { className: string }).className
    return {
      rho: this.rho,
      adaptive: this.adaptive,
      chunkSize: this.chunkSize ?? null,
      weightDecay: this.weightDecay,
      alpha: this.alpha ?? null,
      base: { className: baseClass, config: this.base.getConfig() }
    }
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    const baseConfig = config["base"] as ConfigDict | undefined
    const className = baseConfig?.["className"]
    const entry = typeof className === "string" ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined
    if (entry === undefined)
      throw new SamConfigError("SAMOptimizer.fromConfig", "base.className", `${JSON.stringify(className)} is not a registered optimizer class`)
    const base = entry[1](entry[0], (baseConfig!["config"] ?? {}) as ConfigDict) as unknown as tf.Optimizer
    const options: SAMOptimizerOptions = {
      base,
      rho: config["rho"] as number,
      adaptive: config["adaptive"] as boolean,
      chunkSize: (config["chunkSize"] as number | null) ?? undefined,
      weightDecay: config["weightDecay"] as number,
      alpha: (config["alpha"] as number | null | undefined) ?? undefined
    }
    return new cls(options)
  }

  /** SANER's group-B scaling of SAM's gradient `gs` (frees it); `gs` itself without `alpha`. */
  private sanerScaled(g0: NamedGrads, gs: NamedGrads): NamedGrads {
    if (this.alpha === undefined) return gs
    const s = sanerGradient(g0, gs, this.alpha)
    tf.dispose(Object.values(gs))
    this.lastGroupBShare = s.groupBShare.dataSync()[0]!
    s.groupBShare.dispose()
    return s.grad as NamedGrads
  }

  /** A gradient pass after the first: its kept tensors are collected for hand-over. */
  private extraPass(f: () => tf.Scalar, vars: tf.Variable[], extraKept: tf.Tensor[]): { value: tf.Scalar; grads: NamedGrads } {
    const { wrapped, kept } = collectKept(f)
    try {
      return tf.variableGrads(wrapped, vars)
    } finally {
      extraKept.push(...kept)
    }
  }

  /** Gradient at w + eps(g0); variables and model state put back exactly, whatever happens. */
  private perturbedPass(f: () => tf.Scalar, vars: tf.Variable[], g0: NamedGrads, states: VariableSnapshot, extraKept: tf.Tensor[]): NamedGrads {
    const moved = vars.filter((v) => g0[v.name] !== undefined)
    const saved = snapshotVariables(moved)
    try {
      tf.tidy(() => {
        const params = Object.fromEntries(moved.map((v) => [v.name, v as tf.Tensor]))
        const grads = Object.fromEntries(moved.map((v) => [v.name, g0[v.name]!]))
        const eps = perturbation(params, grads, { rho: this.rho, adaptive: this.adaptive })
        for (const v of moved) v.assign(tf.add(v, eps[v.name]!))
      })
      const { value, grads } = this.extraPass(f, vars, extraKept)
      value.dispose()
      return grads
    } finally {
      restoreVariables(saved)
      disposeVariableSnapshot(saved)
      restoreVariables(states)
    }
  }

  private countChunks(): number {
    if (this.chunkSize === undefined) return 1
    const batchSize = this.chunk?.batchSize
    if (batchSize === undefined) {
      throw new SamConfigError(
        "SAMOptimizer",
        "chunkSize",
        "needs a loss that weights its per-example losses by chunkWeights (compile with loss: optimizer.chunkedLoss(perExampleLoss))"
      )
    }
    return batchSize / this.chunkSize
  }
}

const mapValues = (m: NamedGrads, f: (t: tf.Tensor) => tf.Tensor): NamedGrads => Object.fromEntries(Object.entries(m).map(([k, t]) => [k, f(t)]))

/** `sum + next`, freeing both inputs (next alone becomes the sum the first time). */
const accumulate = (sum: NamedGrads | undefined, next: NamedGrads): NamedGrads => {
  if (sum === undefined) return next
  const out = tf.tidy(() => Object.fromEntries(Object.entries(next).map(([k, t]) => [k, sum[k] ? tf.add(sum[k]!, t) : tf.clone(t)])))
  tf.dispose([...Object.values(sum), ...Object.values(next)])
  return out
}

tf.serialization.registerClass(SAMOptimizer)
