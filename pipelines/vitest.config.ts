import { packageTests, typeTests } from "../vitest.shared.js"

export default packageTests(typeTests)
