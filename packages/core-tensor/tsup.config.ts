import { packageBuild } from "../../tsup.shared.js"

// `effect`: the Effect-based parts (the backend service, scoped tensors), apart so the main entry loads no Effect;
// `internal`: what samlab's other packages share and users do not need. Split into shared chunks, so the
// three entries share one module state (the selected backend) and one class per error (`instanceof` holds).
export default packageBuild({ entry: ["src/index.ts", "src/effect.ts", "src/internal.ts"], splitting: true })
