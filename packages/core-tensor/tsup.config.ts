import { packageBuild } from "../../tsup.shared.js"

// `effect` is the Effect-based entry (the backend service, scoped tensors), kept apart so the main entry loads no Effect.
export default packageBuild({ entry: ["src/index.ts", "src/effect.ts"] })
