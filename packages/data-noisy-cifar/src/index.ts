// Everything that runs anywhere (decoding, noise, subsets, augmentation, batching), then the Node-only readers, downloads and summary.
// eslint-disable-next-line no-restricted-syntax -- the browser entry is itself a list of names
export * from "./browser.js"
export { type DatasetLayout, officialSplitSize } from "./load/layout.js"
export { type ReadDirOptions, readDatasetDir, readSplit } from "./load/read-dir.js"
export { type DataSource, type LoadOptions, loadCifar10, loadCifar100, loadDataset, locateDataset } from "./load/load.js"
export { TransferError } from "./download/http.js"
export { type CacheOptions, ensureCached, resolveCacheDir } from "./download/cache.js"
export { type DataSummary, type DataSummaryOptions, type NamedNoise, type TrainingNoiseOptions, dataSummary, namedNoiseSpec, trainingNoise } from "./summary.js"
