import { packageBuild } from "../../tsup.shared.js"

// `internal`: what samlab's other packages share with this one and users do not need (shared chunks: one copy of each module).
export default packageBuild({ entry: ["src/index.ts", "src/internal.ts"], splitting: true })
