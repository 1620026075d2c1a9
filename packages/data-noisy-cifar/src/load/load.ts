import type { DatasetName, DatasetSplits } from "../dataset.js"
import { DatasetUnavailableError } from "../errors.js"
import { join } from "node:path"
import { type CacheOptions, cachedFolder, ensureCached, resolveCacheDir } from "../download/cache.js"
import { DEFAULT_BASE_URL, layoutOf } from "./layout.js"
import { type ReadDirOptions, readDatasetDir } from "./read-dir.js"

export interface LoadOptions extends ReadDirOptions, CacheOptions {
  /** A local folder with the binary files (or its parent). Default: env CIFAR10_DIR / CIFAR100_DIR. */
  readonly dir?: string
  /** Allow downloading into the cache when no local copy is found (default true). */
  readonly download?: boolean
}

export type DataSource = "option" | "env" | "cache" | "download"

/**
 * Finds the folder to read: the `dir` option, else the dataset's environment variable, else a
 * completed cache folder, else a fresh download into the cache (unless `download: false`).
 */
export const locateDataset = async (name: DatasetName, options: LoadOptions = {}): Promise<{ dir: string; source: DataSource }> => {
  const layout = layoutOf(name)
  if (options.dir) return { dir: options.dir, source: "option" }
  const fromEnv = process.env[layout.envVar]
  if (fromEnv) return { dir: fromEnv, source: "env" }
  const cached = cachedFolder(layout, options)
  if (cached) return { dir: cached, source: "cache" }
  if (options.download === false) {
    const url = `${options.baseUrl ?? DEFAULT_BASE_URL}/${layout.archive}`
    const where = join(resolveCacheDir(options.cacheDir), layout.folder)
    throw new DatasetUnavailableError(name, url, layout.envVar, `${where} does not exist and downloading is disabled`)
  }
  return { dir: await ensureCached(layout, options), source: "download" }
}

/** Loads both splits of CIFAR-10 or CIFAR-100 into memory (see `locateDataset` for where from). */
export const loadDataset = async (name: DatasetName, options: LoadOptions = {}): Promise<DatasetSplits> => {
  const { dir } = await locateDataset(name, options)
  return readDatasetDir(name, dir, options)
}

export const loadCifar10 = (options: LoadOptions = {}): Promise<DatasetSplits> => loadDataset("cifar10", options)
export const loadCifar100 = (options: LoadOptions = {}): Promise<DatasetSplits> => loadDataset("cifar100", options)
