/** Building blocks of the models, exported as the `layers` namespace. */
export * from "./activation.js"
export * from "./batch-norm.js"
export * from "./conv2d.js"
export * from "./conv2d-portable.js"
export * from "./dense.js"
export * from "./flatten.js"
export * from "./init.js"
export * from "./pool.js"
