import { packageBuild } from "../../tsup.shared.js"

// shims: the CommonJS build gets an import.meta.url, which the addon loader resolves paths from.
export default packageBuild({ shims: true })
