import { onCpuBackend, packageTests } from "../../vitest.shared.js"

export default packageTests(onCpuBackend(["test/webgpu-memory.test.ts"]))
