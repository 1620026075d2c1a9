#!/usr/bin/env bash
# Builds the folder that a GPU machine with no Node and no package registry runs gpu-check.sh
# from (Node, the CLI as one esbuild file, Dawn's dawn.node, the Vulkan loader's .deb, one CIFAR-10
# batch file, PyTorch's step script; the large ones xz-compressed): about 56 MiB.
#   tools/gpu/make-bundle.sh [OUT_DIR]      (default .gpu-bundle, ignored by git)
# Reads CIFAR-10 from CIFAR10_DIR (default ../shared/datasets/cifar-10-batches-bin). x86-64 Linux only.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.gpu-bundle}
cifar=${CIFAR10_DIR:-../shared/datasets/cifar-10-batches-bin}
[ -f "$cifar/data_batch_1.bin" ] || { echo "make-bundle: no $cifar/data_batch_1.bin (set CIFAR10_DIR)" >&2; exit 1; }
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || { echo "make-bundle: node_modules/webgpu is not installed (npm ci)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/node_modules/webgpu/dist/linux-x64" "$out/debs"

# SAMLAB_BUNDLE_XZ_LEVEL=0: a larger bundle in seconds rather than minutes (CI's test of the bundle)
level=${SAMLAB_BUNDLE_XZ_LEVEL:-9}
echo "== node $(node --version) (xz -$level)"
xz -"$level" -T0 -c "$(command -v node)" >"$out/node.xz"

echo "== the samlab CLI and train-check as one file (esbuild)"
# module fields first: tfjs packages declare their registering files as side effects only in their ESM builds
npx esbuild tools/gpu/entry.ts --bundle --platform=node --format=esm --target=node20 --main-fields=module,main \
  --tsconfig=tsconfig.json --external:webgpu --log-level=error --outfile="$out/samlab.mjs" \
  --banner:js="import { createRequire as __samlabRequire } from 'node:module'; const require = __samlabRequire(import.meta.url);"

echo "== Dawn (webgpu $(node -p 'require("./node_modules/webgpu/package.json").version'))"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out/node_modules/webgpu/"
xz -"$level" -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

echo "== the Vulkan loader and glvnd's libraries (Debian's, amd64)"
lists=$(mktemp -d)
mkdir -p "$lists/partial"
apt_amd64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
apt-get "${apt_amd64[@]}" update -qq
(cd "$out/debs" && apt-get "${apt_amd64[@]}" download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 >/dev/null)
rm -rf "$lists"

xz -"$((level < 6 ? level : 6))" -T0 -c "$cifar/data_batch_1.bin" >"$out/data_batch_1.bin.xz"
cp tools/gpu/gpu-check.sh tools/cli/torch/torch_bench.py tools/cli/package.json "$out/"
total=$(du -sb "$out" | cut -f1)
echo "== $out: $((total / 1048576)) MiB"
# with the repository beside it (about 3 MiB) the copy sent to the GPU machine must stay under 64 MiB
[ "$level" != 9 ] || [ "$total" -lt $((58 * 1048576)) ] || { echo "make-bundle: over 58 MiB" >&2; exit 1; }
