#!/usr/bin/env bash
# Opt-in check of issue 18 at the real sizes (not part of the test suite: ~6 GB of files, minutes).
#   build/measure-large-models.sh [folder]   (default artifacts/large-models)
# Writes the two models with make-large-models.py (unless present), runs onnx-opt optimize with
# Quantize Mode=DynamicInt8 and Mode=Int4 on each under /usr/bin/time -v, and prints the summary line
# (the engine's own ONNX Runtime comparison of original and optimized, from the files), peak RSS and wall time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
folder="${1:-$root/artifacts/large-models}"
tool="$root/src/Optimizer.Tool/bin/Release/net10.0/Optimizer.Tool.dll"
[ -f "$tool" ] || dotnet build "$root/src/Optimizer.Tool" -c Release -nologo -v:q
[ -f "$folder/large_single.onnx.data" ] || /usr/bin/python3 "$root/build/make-large-models.py" "$folder"
cd "$folder"
for model in large_three large_single; do
  for mode in DynamicInt8 Int4; do
    log="$mode.$model.log"
    /usr/bin/time -v dotnet "$tool" optimize "$model.onnx" -o "$mode/$model.onnx" --pass "Quantize:Mode=$mode" > "$log" 2>&1 || { cat "$log"; exit 1; }
    size=$(( $(stat -c %s "$model.onnx") + $(stat -c %s "$model.onnx.data") ))
    rss_kib=$(awk '/Maximum resident/ {print $6}' "$log")   # KiB: awk's %d stops at 2^31
    echo "$model $mode: $(grep -m1 'quantize' "$log" | sed 's/ on .*//')"
    echo "  peak RSS $((rss_kib >> 10)) MiB = $(awk -v r="$rss_kib" -v s="$size" 'BEGIN {printf "%.2f", r * 1024 / s}')x the model; $(grep -E 'Elapsed' "$log" | sed 's/.*: //') wall, $(awk '/User time/ {u=$4} /System time/ {s=$4} END {print u + s}' "$log") s CPU"
  done
done
