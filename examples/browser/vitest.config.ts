import { packageTests } from "../../vitest.shared.js"

// One browser at a time: Chromium and the bundle are shared by the tests of a file.
export default packageTests({ testTimeout: 240_000, hookTimeout: 240_000 })
