import { packageBuild } from "../../tsup.shared.js"

// shims: the CommonJS build gets an import.meta.url, which the addon loader resolves paths from.
// The wasm backend is only imported (optionally) by the benchmark helper: never bundle it.
export default packageBuild({ shims: true, external: ["@tensorflow/tfjs-backend-wasm"] })
