import { nodeFs, nodePath, nodeProcess } from "../node-host.js"

/**
 * Whether the Vulkan loader (libvulkan.so.1) can be found on Linux, checked before Dawn is
 * loaded: without it Dawn prints its own warnings, and `auto` should pass by quietly.
 * Other systems: assumed present (Dawn uses Metal or D3D there).
 */
export const vulkanLoaderPresent = (): boolean => {
  const fs = nodeFs()
  const path = nodePath()
  if (!nodeProcess || !fs || !path) return false
  if (nodeProcess.platform !== "linux") return true
  const dirs = (nodeProcess.env["LD_LIBRARY_PATH"] ?? "").split(":").filter((d) => d !== "")
  if (dirs.some((d) => fs.existsSync(path.join(d, "libvulkan.so.1")))) return true
  try {
    return fs.readFileSync("/etc/ld.so.cache").includes("libvulkan.so.1")
  } catch {
    return false
  }
}
