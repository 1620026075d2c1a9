#!/usr/bin/env bash
# The GPU check, run from the folder make-bundle.sh built (no Node or registry needed):
#   bash gpu-check.sh [--tiny]
# prints `samlab backends`; times SGD and SAM steps of the MLP, small CNN and ResNet-18 at batch
# 128 on webgpu (samlab bench --json) and the same steps in PyTorch on the same GPU (fp32, no
# AMP); trains ResNet-18 on 10k noisy CIFAR-10 examples with SGD and SAM, printing epoch times.
# Each part has its own time limit, so the whole stays under 10 minutes. For a shorter rerun:
# SAMLAB_GPU_MODELS="cnn resnet18" (bench's models), SAMLAB_GPU_SKIP_TORCH=1,
# SAMLAB_GPU_TRAIN_SECONDS=100 (train-check's budget, shared by SGD and SAM). --tiny: small shapes,
# to test the bundle end to end on a machine without a GPU (SwiftShader: export VK_ICD_FILENAMES).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tiny=${1:-}
work=${SAMLAB_GPU_WORK:-${TMPDIR:-/tmp}/samlab-gpu}
mkdir -p "$work/node_modules/webgpu/dist/linux-x64"
# xz, or Python's lzma where the image has no xz
unxz() { if command -v xz >/dev/null; then xz -dc "$1"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi; }
[ -x "$work/node" ] || { unxz "$here/node.xz" >"$work/node" && chmod +x "$work/node"; }
[ -f "$work/node_modules/webgpu/dist/linux-x64/dawn.node" ] || unxz "$here/node_modules/webgpu/dist/linux-x64/dawn.node.xz" >"$work/node_modules/webgpu/dist/linux-x64/dawn.node"
cp "$here/node_modules/webgpu/package.json" "$here/node_modules/webgpu/index.js" "$work/node_modules/webgpu/"
# the CLI's published layout (it reads its version from the package.json one folder up)
mkdir -p "$work/bin"
cp "$here/samlab.mjs" "$work/bin/"
cp "$here/package.json" "$work/"
[ -f "$work/data_batch_1.bin" ] || unxz "$here/data_batch_1.bin.xz" >"$work/data_batch_1.bin"

# the Vulkan loader and glvnd's dispatch libraries (NVIDIA's ICD, libGLX_nvidia, needs them), where
# the image has none; NVIDIA's ICD from the driver's mount
if ! ldconfig -p | grep -q libvulkan.so.1 || ! ldconfig -p | grep -q libGLdispatch.so.0; then
  for f in "$here"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -e "$nvidia_icd" ]; then export VK_ICD_FILENAMES=$nvidia_icd VK_DRIVER_FILES=$nvidia_icd; fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
# each part's time limit on the GPU; --tiny on SwiftShader is slower than the GPU's full check
limit() { if [ "$tiny" = "--tiny" ]; then echo 1800; else echo "$1"; fi; }
python=$(command -v python3 || true)
device=$([ -n "$python" ] && "$python" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")' 2>/dev/null || echo none)

if [ "$tiny" = "--tiny" ]; then
  models=(mlp); bench=(--methods erm,sam --batch 4 --steps 2 --warmup 1 --prewarm-seconds 0 --min-seconds 0 --kernels 5)
  torch=(--models mlp --methods sgd,sam --batch 4 --steps 2 --warmup 1 --prewarm 1)
  train=(--train-size 32 --epochs 1 --batch 16 --width 4 --max-seconds 1200)
else
  read -ra models <<<"${SAMLAB_GPU_MODELS:-mlp cnn resnet18}"; bench=(--methods erm,sam --batch 128 --steps 10 --warmup 3 --max-seconds 15 --kernels 12)
  torch=(--models mlp,cnn,resnet18 --methods sgd,sam --batch 128 --steps 20 --warmup 5)
  train=(--train-size 10000 --epochs 3 --batch 128 --width 64 --max-seconds "${SAMLAB_GPU_TRAIN_SECONDS:-150}")
fi

# every part runs whatever the others did; the exit status says whether any failed
failed=()
part() {
  local name=$1 rc=0
  shift
  "$@" || rc=$?
  [ "$rc" = 0 ] || failed+=("$name (exit $rc)")
}

echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "(none)"
echo "== samlab backends"; backends=$(timeout 60 "$work/node" "$work/bin/samlab.mjs" backends 2>&1) || failed+=("backends"); echo "$backends"
# no hardware adapter on a GPU machine: say why (ICD, libraries, the loader's own words) and stop
# early, so the rest of the machine's time is left for a second try
if [ "$tiny" != "--tiny" ] && [ "$device" = cuda ] && ! grep -qi "nvidia" <<<"$backends"; then
  echo "== no NVIDIA adapter: diagnostics"
  echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  ls -l /usr/local/nvidia/share/vulkan/icd.d/ 2>&1; cat "$nvidia_icd" 2>&1
  ldconfig -p | grep -iE "vulkan|GLX|GLdispatch|nvidia" | head -20
  VK_LOADER_DEBUG=error,warn,driver timeout 60 "$work/node" "$work/bin/samlab.mjs" backends 2>&1 | head -60
  exit 3
fi
# one process per model, so a model that runs out of time leaves the others' figures
for model in "${models[@]}"; do
  echo "== samlab bench on webgpu: $model"
  SAMLAB_BACKEND=webgpu part "bench $model" timeout "$(limit $([ "$model" = resnet18 ] && echo 120 || echo 50))" "$work/node" "$work/bin/samlab.mjs" bench --json --backend webgpu --models "$model" "${bench[@]}"
done
echo "== PyTorch, the same steps (device: $device, fp32)"
if [ -n "${SAMLAB_GPU_SKIP_TORCH:-}" ]; then echo "(skipped: SAMLAB_GPU_SKIP_TORCH)"
elif [ "$device" != none ]; then part torch timeout "$(limit 90)" "$python" "$here/torch_bench.py" --device "$device" "${torch[@]}"; else echo "(no python3 with torch)"; fi
echo "== train-check: ResNet-18 on noisy CIFAR-10, SGD then SAM, on webgpu"
SAMLAB_BACKEND=webgpu part train-check timeout "$(limit 200)" "$work/node" "$work/bin/samlab.mjs" train-check --file "$work/data_batch_1.bin" "${train[@]}"
if [ ${#failed[@]} -gt 0 ]; then echo "== failed: ${failed[*]}"; exit 1; fi
echo "== done"
