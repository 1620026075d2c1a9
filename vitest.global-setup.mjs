// Tests run from sources: the tfjs gradient module they import is generated from node_modules
// (a no-op when it is up to date; `npm ci` has normally generated it already).
import { generate } from "./packages/core-tensor/scripts/generate-tfjs-gradients.mjs"

export default async function setup() {
  await generate()
}
