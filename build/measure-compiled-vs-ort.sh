#!/usr/bin/env bash
# Issue 15's figure: compiled kernels ÷ ONNX Runtime (p50, 1 thread, interleaved in one run) on every
# model that compiles, at batch 1 and 64 (arctic at 16 and 128 tokens of real sentences).
# Run it on a quiet machine; it prints one table per model and batch, then the CPU's ISA flags.
#   build/measure-compiled-vs-ort.sh [DURATION_SECONDS]
# Needs the tool built (dotnet build src/Optimizer.Tool -c Release), ../shared/data, and for the
# third-party models `bash build/fetch-third-party-models.sh`. Set DOTNET_EnableAVX512=0 to time the AVX2 path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-4}
tool=(dotnet "$root/src/Optimizer.Tool/bin/Release/net10.0/Optimizer.Tool.dll")
models="$root/../shared/data/models"
third="$root/artifacts/third-party-models"

bench() { echo "## $*"; "${tool[@]}" bench "$@" --path both --duration "$duration" | grep -E "│|Timed at"; }

for batch in 1 64; do
  for model in digits_mlp digits_cnn; do bench "$models/$model.onnx" --batch "$batch"; done
  [ -f "$third/embedding_model.onnx" ] && bench "$third/embedding_model.onnx" --batch "$batch"
done
# OCR models (they compile too) at batch 1 and the sizes PaddleOCR feeds them (a 320×320 page crop for
# the detector, a 48×320 text line for the recognizer, 48×192 for the direction classifier).
bench "$models/ch_ppocr_mobile_v2.0_cls_infer.onnx" --dim p2o.DynamicDimension.1=48 --dim p2o.DynamicDimension.2=192
[ -f "$third/ch_PP-OCRv4_det_infer.onnx" ] && bench "$third/ch_PP-OCRv4_det_infer.onnx" --dim p2o.DynamicDimension.1=320 --dim p2o.DynamicDimension.2=320
[ -f "$third/ch_PP-OCRv4_rec_infer.onnx" ] && bench "$third/ch_PP-OCRv4_rec_infer.onnx" --dim p2o.DynamicDimension.1=320
# Audio front ends at the chunk sizes apps stream: openWakeWord's melspectrogram (80 ms at 16 kHz) and silero VAD
# (32 ms at 16 kHz, with its state and rate: an .npz, as the --data option documents).
[ -f "$third/melspectrogram.onnx" ] && bench "$third/melspectrogram.onnx" --dim samples=1280
if [ -f "$third/silero_vad_v5.onnx" ] && /usr/bin/python3 -c "import numpy" 2>/dev/null; then
  vad=$(mktemp --suffix=.npz)
  /usr/bin/python3 -c "import numpy as np, sys; r = np.random.default_rng(1); np.savez(sys.argv[1], input=(r.random((1, 512), dtype=np.float32) * 0.2 - 0.1), state=np.zeros((1, 2, 1, 128), np.float32), sr=np.array([16000], dtype=np.int64))" "$vad"
  bench "$third/silero_vad_v5.onnx" --data "$vad"
  rm -f "$vad"
fi
bench "$models/hello_deepa.onnx"
[ -f "$third/namaste_deepa.onnx" ] && bench "$third/namaste_deepa.onnx"
# arctic at real sentences' lengths when ARCTIC_DATA lists tokenized .npz files (input_ids, attention_mask,
# token_type_ids, as the E2E tests write them), else at generated 16 and 128 tokens.
if [ -n "${ARCTIC_DATA:-}" ]; then
  for npz in $ARCTIC_DATA; do bench "$models/arctic_embed_xs.onnx" --data "$npz"; done
else
  for tokens in 16 128; do bench "$models/arctic_embed_xs.onnx" --dim "sequence_length=$tokens"; done
fi
lscpu | grep -E "Model name"
grep -o -w -E "avx2|avx512f|avx512bw|avx512_vnni|avx_vnni" /proc/cpuinfo | sort -u | tr '\n' ' '; echo
