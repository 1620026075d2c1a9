import { packageBuild } from "../../tsup.shared.js"

// The command, not a library: one ES module (bin/samlab.mjs imports it), no declarations.
// @samlab/golden is the repository's private fixture reader (conformance's file format): bundled in.
export default packageBuild({ entry: ["src/main.ts"], format: ["esm"], dts: false, noExternal: ["@samlab/golden"] })
