// Setup file of the packages whose tests run tensors (`onCpuBackend` in vitest.shared.ts): every
// test file starts on tfjs's CPU backend, the one place that selects it. Files listed in
// `ownBackend` choose their backend themselves (backend selection, wasm, webgpu, registering
// gradients before core-tensor loads): they are left alone, and core-tensor is not even imported.
import { relative } from "node:path"
import { beforeAll, inject } from "vitest"

declare module "vitest" {
  export interface ProvidedContext {
    ownBackend: readonly string[]
  }
}

// vitest passes the file's suite second; its first argument must be a destructuring pattern
// eslint-disable-next-line no-empty-pattern
beforeAll(async ({}, file) => {
  const path = "filepath" in file && typeof file.filepath === "string" ? relative(process.cwd(), file.filepath) : ""
  if (inject("ownBackend").some((own) => path === own || path.startsWith(`${own}/`))) return
  const { selectBackend } = await import("@samlab/core-tensor")
  await selectBackend({ backend: "cpu", log: () => {} })
})
