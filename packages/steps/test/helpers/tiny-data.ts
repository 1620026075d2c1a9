import type { PreparedData } from "../../src/index.js"

/** A tiny prepared dataset: 64 images of 4 classes told apart by brightness. */
export const tinyData = (): PreparedData => {
  const n = 64
  const images = new Uint8Array(n * 3072)
  const labels = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = i % 4
    images.fill(30 + 60 * (i % 4) + (i % 7), i * 3072, (i + 1) * 3072)
  }
  const split = { n, images, labels, cleanLabels: labels, isNoisy: new Uint8Array(n) }
  return {
    dataset: "cifar10",
    numClasses: 4,
    classNames: ["a", "b", "c", "d"],
    train: split,
    validation: { ...split, n: 0, images: new Uint8Array(0), labels: new Uint8Array(0), cleanLabels: new Uint8Array(0), isNoisy: new Uint8Array(0) },
    test: split,
    normalization: { mean: [0.4, 0.4, 0.4], std: [0.25, 0.25, 0.25] },
    noise: { nominalRate: 0, realisedRate: 0, changed: 0, transition: [] }
  }
}
