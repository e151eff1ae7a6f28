#!/usr/bin/env bash
# Fingerprints what the optimizer writes for every shared model under a fixed set of plans, so a
# refactoring can prove it changed no byte: run it before and after, and diff the two outputs.
#
#   build/identical-outputs.sh > before.txt   (on the old commit)
#   build/identical-outputs.sh > after.txt    (on the new one)
#   diff before.txt after.txt                 (must be empty)
#
# One line per (model, plan), sorted:
#   <model> <plan> <sha256 of the optimized .onnx> kernels=<sha256 over its .kernels files, or none>
#   <model> <plan> FAILED: <the engine's error line>        (the failure is part of the fingerprint)
#   <model> <plan> SKIPPED: <why>                            (no data set fits the model's input)
# The .kernels files are the compiled programs (Optimizer.Compiler), so the compiler's QDQ fusion
# is covered as well as the passes.
#
# Data: static quantization, bias correction and the accuracy budget need samples of the model's
# input. The digits models read ../shared/data/digits (raw float32, 64 values per sample; see its
# README). ch_ppocr cls has no shipped data; it gets a fixed synthetic .npy written here (a 64-bit
# LCG, 16 images 3×48×192) so its Add/Mul/Concat/pooling layers are covered too. Other models are
# skipped for plans that need data.
#
# Environment: JOBS (parallel runs, default 2), KEEP (a folder to keep every run's outputs in, to
# diff manifests and reports by hand), NO_BUILD=1 (use the tool as already built).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The resolved path, so error lines read the same from every worktree.
shared=$(cd "$root/../shared/data" 2>/dev/null && pwd) || { echo "identical-outputs: ../shared/data is absent" >&2; exit 1; }

if [ "${NO_BUILD:-}" != 1 ]; then
  dotnet build src/Optimizer.Tool -c Release -nologo -v:q >&2
fi
tool="$root/src/Optimizer.Tool/bin/Release/net10.0/Optimizer.Tool.dll"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; runs=$(cd "$KEEP" && pwd); else runs="$work/runs"; fi

# A fixed little-endian float32 .npy of the given shape (no numpy needed).
write_npy() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
path, shape = sys.argv[1], [int(d) for d in sys.argv[2].split(",")]
count = 1
for d in shape:
    count *= d
x, values = 1, []
for _ in range(count):
    x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    values.append((x >> 40) / float(1 << 24))
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join("%d, " % d for d in shape)
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
    f.write(struct.pack("<%df" % count, *values))
EOF
}
write_npy "$work/ppocr_calibration.npy" 16,3,48,192

digits_x="$shared/digits/digits_train_x_1347x64.f32"
digits_val="$shared/digits/digits_test_x_450x64.f32"
digits_labels="$shared/digits/digits_test_y_450.u8"

# The calibration data for a model: digits data when its one input is float32 [batch, …64 values],
# the synthetic set for ch_ppocr, else nothing.
calibration_for() {
  local model=$1
  case "$(basename "$model")" in
    ch_ppocr_mobile_v2.0_cls_infer.onnx) echo "$work/ppocr_calibration.npy"; return ;;
  esac
  dotnet "$tool" inspect "$model" --json | python3 -c '
import json, sys
inputs = json.load(sys.stdin)["inputs"]
shape = inputs[0]["shape"] if len(inputs) == 1 and inputs[0]["elementType"] == "float32" else None
size = 1
for d in (shape or [None, None])[1:]:
    size = size * d if isinstance(d, int) else 0
print("digits" if shape and isinstance(shape[0], str) and size == 64 else "")
' | sed "s|^digits\$|$digits_x|"
}

# name | passes (separated by ' ; ') | what it needs: - nothing, cal calibration data, labels digits validation data
plans=$(cat <<'EOF'
DynamicInt8|Quantize:Mode=DynamicInt8|-
DynamicInt8-PerTensor-8bit|Quantize:Mode=DynamicInt8,PerChannel=false,ReduceRange=false|-
Static-Qdq-Auto-U8|Quantize:Mode=StaticInt8,Calibration=@CAL@|cal
Static-Qdq-PerChannel-U8|Quantize:Mode=StaticInt8,Calibration=@CAL@,WeightGranularity=PerChannel|cal
Static-Qdq-PerTensor-U8|Quantize:Mode=StaticInt8,Calibration=@CAL@,WeightGranularity=PerTensor|cal
Static-Qdq-PerChannel-I8|Quantize:Mode=StaticInt8,Calibration=@CAL@,WeightGranularity=PerChannel,ActivationType=Int8|cal
Static-Qdq-PerTensor-I8-8bit|Quantize:Mode=StaticInt8,Calibration=@CAL@,WeightGranularity=PerTensor,ActivationType=Int8,ReduceRange=false|cal
Static-QOp-Auto-U8|Quantize:Mode=StaticInt8,Calibration=@CAL@,Format=QOperator|cal
Static-QOp-PerChannel-U8|Quantize:Mode=StaticInt8,Calibration=@CAL@,Format=QOperator,WeightGranularity=PerChannel|cal
Static-QOp-PerTensor-U8|Quantize:Mode=StaticInt8,Calibration=@CAL@,Format=QOperator,WeightGranularity=PerTensor|cal
Static-QOp-PerChannel-I8|Quantize:Mode=StaticInt8,Calibration=@CAL@,Format=QOperator,WeightGranularity=PerChannel,ActivationType=Int8|cal
Static-QOp-PerTensor-I8-8bit|Quantize:Mode=StaticInt8,Calibration=@CAL@,Format=QOperator,WeightGranularity=PerTensor,ActivationType=Int8,ReduceRange=false|cal
Static-Qdq+AccuracyBudget|Quantize:Mode=StaticInt8,Calibration=@CAL@ ; AccuracyBudget:MaxDrop=0.0001,Validation=@VAL@,Labels=@LABELS@|labels
Float16|Quantize:Mode=Float16|-
Int4|Quantize:Mode=Int4|-
Prune-Unstructured|Prune:Sparsity=0.5,Structure=Unstructured,BiasCorrection=false|-
Prune-Channel|Prune:Sparsity=0.5,Structure=Channel,BiasCorrection=false|-
Prune-NM2x4|Prune:Structure=NM2x4,BiasCorrection=false|-
Prune-Unstructured-BiasCorrection|Prune:Sparsity=0.5,Structure=Unstructured,BiasCorrection=true,Calibration=@CAL@|cal
Prune-Channel-BiasCorrection|Prune:Sparsity=0.5,Structure=Channel,BiasCorrection=true,Calibration=@CAL@|cal
Prune-NM2x4-BiasCorrection|Prune:Structure=NM2x4,BiasCorrection=true,Calibration=@CAL@|cal
Prune+Static-Qdq|Prune:Sparsity=0.5 ; Quantize:Mode=StaticInt8,Calibration=@CAL@|cal
Prune+Static-QOp|Prune:Sparsity=0.5,Structure=NM2x4 ; Quantize:Mode=StaticInt8,Calibration=@CAL@,Format=QOperator,ActivationType=Int8|cal
Prune-Channel+Static-Qdq-NoBiasCorrection|Prune:Sparsity=0.3,Structure=Channel,BiasCorrection=false ; Quantize:Mode=StaticInt8,Calibration=@CAL@,WeightGranularity=PerTensor|cal
EOF
)

# One job per line: model, plan name, needs, calibration file, passes.
jobs="$work/jobs"
: > "$jobs"
for model in "$shared"/models/*.onnx; do
  calibration=$(calibration_for "$model" || true)
  calibration=${calibration:--} # '-' for none: read would merge empty tab-separated fields
  while IFS='|' read -r name passes needs; do
    printf '%s\t%s\t%s\t%s\t%s\n' "$model" "$name" "$needs" "$calibration" "$passes" >> "$jobs"
  done <<< "$plans"
done

run_one() {
  local model=$1 name=$2 needs=$3 calibration=$4 passes=$5
  local label; label=$(basename "$model" .onnx)
  if [ "$needs" != - ] && [ "$calibration" = - ]; then
    echo "$label $name SKIPPED: no calibration data fits the model's input"; return
  fi
  if [ "$needs" = labels ] && [ "$calibration" != "$DIGITS_X" ]; then
    echo "$label $name SKIPPED: no labelled validation data for this model"; return
  fi
  local out="$RUNS/$label/$name"
  rm -rf "$out"; mkdir -p "$out"
  local args=()
  local pass
  while read -r pass; do
    pass=${pass//@CAL@/$calibration}; pass=${pass//@VAL@/$DIGITS_VAL}; pass=${pass//@LABELS@/$DIGITS_LABELS}
    args+=(--pass "$pass")
  done < <(echo "$passes" | sed 's/ ; /\n/g')
  if dotnet "$TOOL" optimize "$model" -o "$out/m.onnx" "${args[@]}" > "$out/stdout" 2> "$out/stderr"; then
    local kernels=none
    if compgen -G "$out/*.kernels" > /dev/null; then
      kernels=$(cd "$out" && sha256sum -- *.kernels | sha256sum | cut -d' ' -f1)
    fi
    echo "$label $name $(sha256sum "$out/m.onnx" | cut -d' ' -f1) kernels=$kernels"
  else
    local reason
    reason=$(grep -m1 -E 'error OPT[0-9]+' "$out/stderr" || head -n1 "$out/stderr")
    reason=${reason//$WORK/<tmp>}; reason=${reason//$RUNS/<runs>}
    echo "$label $name FAILED: ${reason:0:300}"
  fi
}
export -f run_one
export TOOL="$tool" RUNS="$runs" WORK="$work" DIGITS_X="$digits_x" DIGITS_VAL="$digits_val" DIGITS_LABELS="$digits_labels"

while IFS=$'\t' read -r model name needs calibration passes; do
  printf '%s\0%s\0%s\0%s\0%s\0' "$model" "$name" "$needs" "$calibration" "$passes"
done < "$jobs" | xargs -0 -n 5 -P "${JOBS:-2}" bash -c 'run_one "$@"' _ | LC_ALL=C sort
