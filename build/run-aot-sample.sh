#!/usr/bin/env bash
# Publishes samples/DigitsAot with NativeAOT against the packed packages, removes ONNX Runtime's
# native library from the publish folder, and checks that the app still classifies the 450 digits
# test images on the compiled C# kernels with the accuracy the ONNX Runtime path has under
# `dotnet run`. Needs clang (Debian: clang or clang-14) and zlib1g-dev for the NativeAOT link.
#   build/run-aot-sample.sh [--no-pack]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = "--no-pack" ] || "$root/build/pack.sh"
project="$root/samples/DigitsAot/DigitsAot.csproj"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

jit=$(dotnet run --project "$project" -c Release)
echo "$jit"
ort=$(echo "$jit" | sed -n 's/^OnnxRuntime: top-1 \([0-9.]*%\).*/\1/p')

dotnet publish "$project" -c Release -r linux-x64 -o "$out" -nologo -v:q
rm -f "$out"/libonnxruntime*.so*
aot=$("$out/DigitsAot")
echo "$aot"
compiled=$(echo "$aot" | sed -n 's/^Compiled: top-1 \([0-9.]*%\).*/\1/p')

if [ -z "$ort" ] || [ "$ort" != "$compiled" ]; then
  echo "FAILED: ONNX Runtime path '${ort}' vs NativeAOT compiled path without libonnxruntime '${compiled}'" >&2
  exit 1
fi
echo "$aot" | grep -q '^default path: Compiled(' || { echo "FAILED: the NativeAOT app did not choose the compiled kernels" >&2; exit 1; }
# The level binary this CPU runs takes the kernel paths the JIT takes.
jit_paths=$(echo "$jit" | sed -n 's/^Compiled: .* via \(.*\)$/\1/p')
aot_paths=$(echo "$aot" | sed -n 's/^Compiled: .* via \(.*\)$/\1/p')
if [ "$jit_paths" != "$aot_paths" ]; then
  echo "FAILED: kernel paths under the JIT '${jit_paths}' vs NativeAOT '${aot_paths}'" >&2
  exit 1
fi
echo "OK: NativeAOT without libonnxruntime.so, compiled kernels: top-1 $compiled = ONNX Runtime path $ort"
