import { nodeFs, nodeOs, nodePath, nodeProcess } from "../node-host.js"
import { vulkanLoaderPresent } from "./vulkan.js"

/** SwiftShader's Vulkan driver as Debian's chromium package ships it: Vulkan on the CPU, enough to test webgpu without a GPU. */
export const swiftShaderIcd = "/usr/lib/chromium/vk_swiftshader_icd.json"

/**
 * Points the Vulkan loader at SwiftShader for this process (call it before the first webgpu
 * use), for tests and CI. Returns why it cannot (nothing installed), else undefined.
 */
export const useSwiftShader = (): string | undefined => {
  const fs = nodeFs()
  const os = nodeOs()
  const path = nodePath()
  if (!nodeProcess || !fs || !os || !path) return "SwiftShader through Dawn needs Node"
  if (!fs.existsSync(swiftShaderIcd)) return `SwiftShader's Vulkan driver is not installed (${swiftShaderIcd}, Debian's chromium package)`
  if (!vulkanLoaderPresent()) return "the Vulkan loader is not installed (libvulkan.so.1, Debian's libvulkan1 package)"
  nodeProcess.env["VK_ICD_FILENAMES"] = swiftShaderIcd
  nodeProcess.env["VK_DRIVER_FILES"] = swiftShaderIcd
  // the loader wants a runtime directory; a fresh one when the session has none
  nodeProcess.env["XDG_RUNTIME_DIR"] ??= fs.mkdtempSync(path.join(os.tmpdir(), "samlab-xdg-"))
  return undefined
}
