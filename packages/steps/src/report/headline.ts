import type { JsonValue } from "@samlab/analysis-decomposition"
import { baselineMethod, gapRecovered, type RunSummaryFile } from "../summary/summarize.js"

const names: Readonly<Record<string, string>> = {
  sam: "SAM",
  asam: "ASAM",
  sam1: "1-SAM",
  lsam: "L-SAM",
  jsam: "J-SAM",
  saner: "SANER",
  jacreg: "Jacobian regularizer"
}
const baseNames: Readonly<Record<string, string>> = { sgd: "SGD", adam: "Adam", adamw: "AdamW" }

/** The base optimizer's kind in a pipeline config (`base.kind`), "sgd" where it says none (the schema's default). */
export const baseKindOf = (config: Readonly<Record<string, JsonValue>>): string => {
  const base = config["base"]
  const kind = typeof base === "object" && base !== null && !Array.isArray(base) ? (base as Readonly<Record<string, JsonValue>>)["kind"] : undefined
  return typeof kind === "string" ? kind : "sgd"
}

/**
 * A summary group's display name: the method's (`sam` -> "SAM"; `erm`, the base optimizer alone,
 * by the base: "SGD", "Adam", "AdamW"), with any swept values after it.
 */
export const methodLabel = (group: string, baseKind = "sgd"): string => {
  const [method = group, ...swept] = group.split(" ")
  const name = method === baselineMethod ? (baseNames[baseKind] ?? baseKind) : (names[method] ?? method)
  return swept.length > 0 ? `${name} (${swept.join(", ")})` : name
}

/** A difference of accuracies in percentage points, signed. */
const points = (a: number, b: number) => `${a >= b ? "+" : "-"}${Math.abs(100 * (a - b)).toFixed(1)}`
const share = (v: number | null) => (v === null ? undefined : `${Math.round(100 * v)}%`)

/**
 * The result in one sentence: SAM's gain over the baseline at the peak and at the last epoch,
 * and the share of the peak gain that J-SAM and L-SAM recover (those present). Undefined
 * without both the baseline and SAM, or with a sweep (several groups per method).
 */
export const headlineOf = (summary: RunSummaryFile, baseKind = "sgd"): string | undefined => {
  const base = summary.methods[baselineMethod]
  const sam = summary.methods["sam"]
  if (!base || !sam || base.bestTestAcc === null || sam.bestTestAcc === null || base.finalTestAcc === null || sam.finalTestAcc === null) return undefined
  const head = `SAM against ${methodLabel(baselineMethod, baseKind)}: ${points(sam.bestTestAcc, base.bestTestAcc)} points of test accuracy at the peak (${(100 * sam.bestTestAcc).toFixed(1)}% vs ${(100 * base.bestTestAcc).toFixed(1)}%) and ${points(sam.finalTestAcc, base.finalTestAcc)} at the last epoch`
  const shares = ["jsam", "lsam", "jacreg"].flatMap((m) => {
    const s = summary.methods[m] ? share(gapRecovered(summary, m)) : undefined
    return s === undefined ? [] : [`${methodLabel(m)} recovers ${s} of the peak gain`]
  })
  return `${head}${shares.length > 0 ? `; ${shares.join(", ")}` : ""}.`
}

const modelName = (model: JsonValue | undefined): string | undefined => {
  if (typeof model !== "object" || model === null || Array.isArray(model)) return undefined
  const m = model as Readonly<Record<string, JsonValue>>
  switch (m["kind"]) {
    case "mlp":
      return Array.isArray(m["hidden"]) ? `MLP ${["3072", ...m["hidden"].map(String), "10"].join("-")}` : "MLP"
    case "cnn":
      return "small CNN"
    case "resnet18":
      return "ResNet-18"
    case "resnet": {
      // CIFAR ResNet depth: stem + 2 convs per block + head
      const blocks = Array.isArray(m["blocks"]) ? m["blocks"].reduce<number>((a, b) => a + (typeof b === "number" ? b : 0), 0) : undefined
      return `ResNet-${blocks === undefined ? "?" : 2 * blocks + 2}${typeof m["width"] === "number" ? ` (width ${m["width"]})` : ""}`
    }
    case "linear":
      return "linear model"
    case "two-layer-linear":
      return "2-layer linear net"
    default:
      return typeof m["kind"] === "string" ? m["kind"] : undefined
  }
}

/** "MLP 3072-512-512-10, 10,000 training examples, 30 epochs" from the fields a pipeline config has. */
export const settingOf = (config: Readonly<Record<string, JsonValue>>): string | undefined => {
  const trainSize = config["trainSize"]
  const epochs = config["epochs"]
  const parts = [
    modelName(config["model"]),
    typeof trainSize === "number" ? (trainSize > 0 ? `${trainSize.toLocaleString("en-US")} training examples` : "all training examples") : undefined,
    typeof epochs === "number" ? `${epochs} epochs` : undefined
  ].filter((p): p is string => p !== undefined)
  return parts.length > 0 ? parts.join(", ") : undefined
}
