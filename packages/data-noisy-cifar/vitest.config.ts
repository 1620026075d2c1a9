import { onCpuBackend, packageTests } from "../../vitest.shared.js"

// The test files share one module graph per worker: importing tfjs and core-tensor once instead
// of once per file. Tests restore any environment variable they set.
export default packageTests({ ...onCpuBackend(), isolate: false })
