// Everything that runs anywhere (decoding, noise, subsets, augmentation, batching), then the Node-only readers, downloads and summary.
export * from "./browser.js"
export * from "./load/layout.js"
export * from "./load/read-dir.js"
export * from "./load/load.js"
export * from "./download/tar.js"
export * from "./download/http.js"
export * from "./download/cache.js"
export * from "./summary.js"
