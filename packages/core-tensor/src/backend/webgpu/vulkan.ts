import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"

/**
 * Whether the Vulkan loader (libvulkan.so.1) can be found on Linux, checked before Dawn is
 * loaded: without it Dawn prints its own warnings, and `auto` should pass by quietly.
 * Other systems: assumed present (Dawn uses Metal or D3D there).
 */
export const vulkanLoaderPresent = (): boolean => {
  if (process.platform !== "linux") return true
  const dirs = (process.env["LD_LIBRARY_PATH"] ?? "").split(":").filter((d) => d !== "")
  if (dirs.some((d) => existsSync(join(d, "libvulkan.so.1")))) return true
  try {
    return readFileSync("/etc/ld.so.cache").includes("libvulkan.so.1")
  } catch {
    return false
  }
}
