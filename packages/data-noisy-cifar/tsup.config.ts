import { packageBuild } from "../../tsup.shared.js"

// `browser` is the entry without the Node-only readers and downloads (the "browser" export condition).
export default packageBuild({ entry: ["src/index.ts", "src/browser.ts"] })
