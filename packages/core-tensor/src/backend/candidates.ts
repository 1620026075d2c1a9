/** The backends samlab knows, best first: the chooser takes the first that loads and passes a smoke op. */
export const backendNames = ["tensorflow-gpu", "tensorflow", "webgpu", "native", "wasm", "cpu"] as const
export type BackendName = (typeof backendNames)[number]

export const isBackendName = (s: string): s is BackendName => (backendNames as readonly string[]).includes(s)

export interface BackendCandidate {
  readonly name: BackendName
  /** The npm package that provides it (what to install when it is missing). */
  readonly packageName: string
  /** The name tfjs registers it under. */
  readonly tfName: string
}

export const backendCandidates: Readonly<Record<BackendName, BackendCandidate>> = {
  "tensorflow-gpu": { name: "tensorflow-gpu", packageName: "@tensorflow/tfjs-node-gpu", tfName: "tensorflow" },
  tensorflow: { name: "tensorflow", packageName: "@tensorflow/tfjs-node", tfName: "tensorflow" },
  webgpu: { name: "webgpu", packageName: "@tensorflow/tfjs-backend-webgpu", tfName: "webgpu" },
  native: { name: "native", packageName: "@samlab/tfjs-backend-native", tfName: "native" },
  wasm: { name: "wasm", packageName: "@tensorflow/tfjs-backend-wasm", tfName: "wasm" },
  cpu: { name: "cpu", packageName: "@tensorflow/tfjs-backend-cpu", tfName: "cpu" }
}
