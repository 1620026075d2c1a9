export * from "./errors.js"
export * from "./stats/summary.js"
export * from "./stats/logits.js"
export * from "./decomposition/index.js"
