/** Activates a tfjs backend by name for the bench scripts ("native", "cpu" or "wasm"). */
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"

export const useBackend = async (name: string): Promise<void> => {
  if (name === "native") await import("../src/index.js")
  if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm")
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`)
  await tf.ready()
  tf.env().set("PROD", true)
}

/** `--key value` command-line options. */
export const option = (key: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${key}`)
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback
}
