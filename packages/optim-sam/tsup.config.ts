import { packageBuild } from "../../tsup.shared.js"

// `internal`: what samlab's other packages share with this one and users do not need.
export default packageBuild({ entry: ["src/index.ts", "src/internal.ts"] })
