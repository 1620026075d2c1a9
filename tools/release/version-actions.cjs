// How `nx release version` reads and writes versions of samlab's npm packages: their
// package.json, and the ranges by which they name each other. Nx's own implementation lives in
// the @nx/js plugin, which this workspace does not otherwise need (and whose releases lag nx's).
"use strict"
const { execFileSync } = require("node:child_process")
const { join } = require("node:path")
const { VersionActions } = require("nx/release")

const collections = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]

/** The npm name of a workspace project (nx names projects after package.json's name; the metadata says so when it differs). */
const packageName = (projectGraph, project) => projectGraph.nodes[project]?.data.metadata?.js?.packageName ?? project

/** A new version in the range style the manifest already used: `^` and `~` kept, an exact pin stays exact. */
const withPrefix = (previous, version) => (/^[~^]/.test(previous) ? `${previous[0]}${version}` : version)

class PackageJsonVersionActions extends VersionActions {
  validManifestFilenames = ["package.json"]

  manifestPath() {
    return join(this.projectGraphNode.data.root, "package.json")
  }

  read(tree, path = this.manifestPath()) {
    return JSON.parse(tree.read(path, "utf-8"))
  }

  async readCurrentVersionFromSourceManifest(tree) {
    const manifestPath = this.manifestPath()
    return { currentVersion: this.read(tree, manifestPath).version, manifestPath }
  }

  // nx.json sets currentVersionResolver to "disk": versions are read from package.json only.
  async readCurrentVersionFromRegistry() {
    return null
  }

  async readCurrentVersionOfDependency(tree, projectGraph, dependencyProjectName) {
    const manifest = this.read(tree)
    const name = packageName(projectGraph, dependencyProjectName)
    const collection = collections.find((c) => manifest[c]?.[name] !== undefined)
    return collection ? { currentVersion: manifest[collection][name], dependencyCollection: collection } : { currentVersion: null, dependencyCollection: null }
  }

  async updateProjectVersion(tree, newVersion) {
    return this.manifestsToUpdate.map(({ manifestPath }) => {
      const manifest = JSON.parse(tree.read(manifestPath, "utf-8"))
      manifest.version = newVersion
      tree.write(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
      return `New version ${newVersion} written to ${manifestPath}`
    })
  }

  async updateProjectDependencies(tree, projectGraph, dependenciesToUpdate) {
    const logs = []
    for (const { manifestPath } of this.manifestsToUpdate) {
      const manifest = JSON.parse(tree.read(manifestPath, "utf-8"))
      let updated = 0
      for (const [project, version] of Object.entries(dependenciesToUpdate)) {
        const name = packageName(projectGraph, project)
        for (const c of collections) {
          const previous = manifest[c]?.[name]
          if (previous === undefined || previous.startsWith("workspace:") || previous.startsWith("file:")) continue
          manifest[c][name] = withPrefix(previous, version)
          updated++
        }
      }
      if (updated > 0) {
        tree.write(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
        logs.push(`${updated} samlab dependenc${updated === 1 ? "y" : "ies"} updated in ${manifestPath}`)
      }
    }
    return logs
  }
}

module.exports = PackageJsonVersionActions
module.exports.default = PackageJsonVersionActions

/** package-lock.json records each workspace's version and dependencies: refresh it after every bump. */
module.exports.afterAllProjectsVersioned = async (cwd, { dryRun }) => {
  if (dryRun) return { changedFiles: [], deletedFiles: [] }
  execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd, stdio: "inherit" })
  return { changedFiles: ["package-lock.json"], deletedFiles: [] }
}
