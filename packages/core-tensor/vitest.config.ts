import { onCpuBackend, packageTests } from "../../vitest.shared.js"

export default packageTests(onCpuBackend(["test/backend.test.ts", "test/optim/gradients.test.ts", "test/webgpu", "test/loss/wasm-one-hot.test.ts"]))
