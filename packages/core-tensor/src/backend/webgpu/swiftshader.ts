import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { vulkanLoaderPresent } from "./vulkan.js"

/** SwiftShader's Vulkan driver as Debian's chromium package ships it: Vulkan on the CPU, enough to test webgpu without a GPU. */
export const swiftShaderIcd = "/usr/lib/chromium/vk_swiftshader_icd.json"

/**
 * Points the Vulkan loader at SwiftShader for this process (call it before the first webgpu
 * use), for tests and CI. Returns why it cannot (nothing installed), else undefined.
 */
export const useSwiftShader = (): string | undefined => {
  if (!existsSync(swiftShaderIcd)) return `SwiftShader's Vulkan driver is not installed (${swiftShaderIcd}, Debian's chromium package)`
  if (!vulkanLoaderPresent()) return "the Vulkan loader is not installed (libvulkan.so.1, Debian's libvulkan1 package)"
  process.env["VK_ICD_FILENAMES"] = swiftShaderIcd
  process.env["VK_DRIVER_FILES"] = swiftShaderIcd
  // the loader wants a runtime directory; a fresh one when the session has none
  process.env["XDG_RUNTIME_DIR"] ??= mkdtempSync(join(tmpdir(), "samlab-xdg-"))
  return undefined
}
