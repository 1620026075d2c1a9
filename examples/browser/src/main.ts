// The example page: SGD vs SAM on a CIFAR-10 batch the user picks, live curves.
import "@tensorflow/tfjs-backend-cpu"
import "@tensorflow/tfjs-backend-webgl"
import * as tf from "@tensorflow/tfjs-core"
import { lineChart } from "@samlab/analysis-decomposition"
import { type Curves, decodeBatchFile, runSideBySide } from "./experiment.js"
import { selfTest } from "./self-test.js"

const colors = { SGD: "#0072B2", SAM: "#D55E00" } as const
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const number = (id: string) => Number(element<HTMLInputElement>(id).value)
const status = (text: string) => (element("status").textContent = text)

const draw = (curves: Curves, epochs: number) => {
  const xDomain: [number, number] = [1, Math.max(2, epochs)]
  const series = (pick: (p: Curves["SGD"][number]) => number, suffix = "", dash?: "dashed") =>
    (["SGD", "SAM"] as const).map((k) => ({
      name: `${k}${suffix}`,
      color: colors[k],
      points: curves[k].map((p) => ({ x: p.epoch, y: 100 * pick(p) })),
      ...(dash ? { dash } : {})
    }))
  element("test-chart").innerHTML = lineChart({
    id: "test",
    title: "Test accuracy",
    xLabel: "epoch",
    yLabel: "test accuracy (%)",
    series: series((p) => p.testAcc),
    xDomain,
    xIntegers: true
  })
  element("train-chart").innerHTML = lineChart({
    id: "train",
    title: "Training accuracy: clean vs noisy examples",
    xLabel: "epoch",
    yLabel: "%",
    series: [...series((p) => p.cleanTrainAcc, ", clean"), ...series((p) => p.noisyFit, ", noisy fit to the wrong label", "dashed")],
    xDomain,
    xIntegers: true
  })
}

element<HTMLFormElement>("setup").addEventListener("submit", (event) => {
  event.preventDefault()
  void (async () => {
    const file = element<HTMLInputElement>("file").files?.[0]
    if (!file) return status("Pick a CIFAR-10 batch file first.")
    const button = element<HTMLButtonElement>("start")
    button.disabled = true
    try {
      await tf.setBackend(element<HTMLSelectElement>("backend").value)
      await tf.ready()
      const data = decodeBatchFile(file.name, new Uint8Array(await file.arrayBuffer()))
      const epochs = number("epochs")
      const options = { trainSize: number("train"), testSize: number("test"), noiseRate: number("noise"), epochs, rho: number("rho") }
      status(`Training on ${tf.getBackend()}: ${options.trainSize} examples, ${Math.round(100 * options.noiseRate)}% noisy labels...`)
      const curves = await runSideBySide(data, options, async (c) => {
        draw(c, epochs)
        const last = (k: "SGD" | "SAM") => c[k].at(-1)
        status(
          `Epoch ${c.SAM.length || c.SGD.length} of ${epochs}: test accuracy SGD ${((last("SGD")?.testAcc ?? 0) * 100).toFixed(1)}%, SAM ${((last("SAM")?.testAcc ?? 0) * 100).toFixed(1)}%`
        )
        await new Promise((resolve) => setTimeout(resolve, 0))
      })
      const best = (k: "SGD" | "SAM") => Math.max(...curves[k].map((p) => p.testAcc))
      status(`Done. Best test accuracy: SGD ${(100 * best("SGD")).toFixed(1)}%, SAM ${(100 * best("SAM")).toFixed(1)}%.`)
      document.body.dataset["done"] = "true"
    } catch (e) {
      status(`Error: ${e instanceof Error ? e.message : String(e)}`)
      document.body.dataset["error"] = e instanceof Error ? e.message : String(e)
    } finally {
      button.disabled = false
    }
  })()
})

// For the automated browser test.
;(globalThis as { samlabSelfTest?: typeof selfTest }).samlabSelfTest = selfTest
