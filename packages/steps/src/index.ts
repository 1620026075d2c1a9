export * from "./schema.js"
export * from "./methods.js"
export * from "./data/prepare.js"
export * from "./train/loop.js"
