// Run as its own process (`node --import tsx`): extracts a .tar.gz and prints how much the process's
// peak resident memory grew meanwhile, in KiB, so a test can tell streaming from holding the archive.
import { extractArchive } from "../../src/download/cache.js"

const [archive, dest] = process.argv.slice(2)
const before = process.resourceUsage().maxRSS
await extractArchive(archive!, "big.tar.gz", dest!)
process.stdout.write(JSON.stringify({ peakGrowthKiB: process.resourceUsage().maxRSS - before }))
