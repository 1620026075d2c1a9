import { packageBuild } from "../../tsup.shared.js"

// `effect`: the Effect-based parts (the backend service, scoped tensors), apart so the main entry loads no Effect;
// `internal`: what samlab's other packages share and users do not need.
export default packageBuild({ entry: ["src/index.ts", "src/effect.ts", "src/internal.ts"] })
