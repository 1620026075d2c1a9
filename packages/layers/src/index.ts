export { type LayersModelAdapter, adaptLayersModel } from "./adapter.js"
export { type FitCallbacks, type FitHistory, type FitOptions, type Logs, fitWithMethod } from "./fit.js"
export { LayersAdapterError } from "./errors.js"
export { fileIO } from "./file-io.js"
