/**
 * The parts of @samlab/data-noisy-cifar that run anywhere JavaScript runs (a browser, a worker,
 * Node): decoding CIFAR binary records from bytes the caller has, label noise, stratified
 * subsets, augmentation, normalisation and seeded batching. Reading folders, downloading and
 * caching are Node-only and live in the main entry. Bundlers that honour the "browser"
 * export condition take this file for `@samlab/data-noisy-cifar`.
 */
export * from "./errors.js"
export * from "./dataset.js"
export * from "./class-names.js"
export * from "./format/planar.js"
export * from "./format/records.js"
export * from "./noise/transition.js"
export * from "./noise/asymmetric.js"
export * from "./noise/model.js"
export * from "./noise/apply.js"
export * from "./subset/stratified.js"
export * from "./augment/crop-flip.js"
export * from "./augment/normalize.js"
export * from "./batch/batcher.js"
