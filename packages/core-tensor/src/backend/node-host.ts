/**
 * Node's process and built-in modules where this code runs in Node, undefined in a browser.
 * core-tensor has no static `node:` import, so that bundles for the browser need no shim.
 */
export const nodeProcess = (globalThis as { process?: NodeJS.Process }).process

export const nodeFs = (): typeof import("node:fs") | undefined => nodeProcess?.getBuiltinModule?.("node:fs")
export const nodeOs = (): typeof import("node:os") | undefined => nodeProcess?.getBuiltinModule?.("node:os")
export const nodePath = (): typeof import("node:path") | undefined => nodeProcess?.getBuiltinModule?.("node:path")
export const nodeModule = (): typeof import("node:module") | undefined => nodeProcess?.getBuiltinModule?.("node:module")
