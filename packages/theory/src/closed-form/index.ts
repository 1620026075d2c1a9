export * from "./errors.js"
export * from "./one-sam-logistic.js"
export * from "./jsam-two-layer.js"
