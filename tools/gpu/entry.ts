// The GPU bundle's one entry (esbuild makes it a single file): `train-check ...` or any samlab command.
// tfjs's cpu and webgpu backends are imported here so they register in the bundle's own tfjs-core;
// webgpu only registers where navigator.gpu exists, so Dawn is loaded first.
import "@tensorflow/tfjs-backend-cpu"
import { loadGpu } from "../../packages/core-tensor/src/backend/webgpu/dawn.js"
import { main } from "../cli/src/main.js"
import { trainCheck } from "./train-check.js"

await loadGpu()
await import("@tensorflow/tfjs-backend-webgpu")
const argv = process.argv.slice(2)
process.exitCode = argv[0] === "train-check" ? await trainCheck(argv.slice(1)) : await main(argv)
