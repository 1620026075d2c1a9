import { randomBytes } from "node:crypto"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs-core"

const MODEL_FILE = "model.json"
const WEIGHTS_FILE = "weights.bin"

const writeAtomic = async (path: string, data: string | Uint8Array): Promise<void> => {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`
  try {
    await writeFile(tmp, data)
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}

/**
 * A tfjs IO handler that saves a model to, and loads it from, a folder on disk (`model.json`
 * and `weights.bin`, the layout tfjs-node's `file://` writes) without tfjs-node:
 * `await model.save(fileIO(dir), { includeOptimizer: true })` and
 * `await tfl.loadLayersModel(fileIO(dir))`. With `includeOptimizer` the optimizer's state
 * (SAMOptimizer's base optimizer's moments and iterations) is saved and restored too. The weights
 * are written first and `model.json` last, each atomically, so a folder holds a whole model or
 * the previous one.
 */
export const fileIO = (dir: string): tf.io.IOHandler => ({
  save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
    if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error("fileIO: binary model topologies are not supported; save a tfjs-layers model")
    await mkdir(dir, { recursive: true })
    const weights = artifacts.weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
    await writeAtomic(join(dir, WEIGHTS_FILE), weights)
    const { weightData: _, weightSpecs, ...rest } = artifacts
    const json: tf.io.ModelJSON = {
      ...(rest as Omit<tf.io.ModelJSON, "weightsManifest">),
      modelTopology: artifacts.modelTopology!,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs ?? [] }]
    }
    await writeAtomic(join(dir, MODEL_FILE), JSON.stringify(json))
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
  },
  load: async (): Promise<tf.io.ModelArtifacts> => {
    const json = JSON.parse(await readFile(join(dir, MODEL_FILE), "utf8")) as tf.io.ModelJSON
    const weights = await readFile(join(dir, WEIGHTS_FILE))
    return tf.io.getModelArtifactsForJSON(json, async (manifest) => [
      manifest.flatMap((g) => g.weights),
      weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength)
    ])
  }
})
