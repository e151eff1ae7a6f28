#!/usr/bin/env bash
# Checks the compiled C# kernels on another machine, e.g. one with AVX-VNNI/AVX-512 that this
# repository's CI machine lacks, without a .NET SDK there:
#   build/isa-check/run.sh pack <out.tar.xz>   here: builds the engine, writes the digits models'
#                                               fp32 and static INT8 kernel programs, publishes this
#                                               app self-contained (linux-x64) and packs it all
#   build/isa-check/run.sh check               there, in the unpacked folder: runs the app under
#                                               the runtime's ISA knobs
# Each run prints the kernel paths, top-1 on the 450 digits test images and a hash of the logits
# (int8 programs must hash the same on every path), then int8 and fp32 GEMM throughput on 1 thread.
set -euo pipefail
case "${1:-}" in
  pack)
    out=$(realpath -m "${2:?output .tar.xz}")
    root=$(cd "$(dirname "$0")/../.." && pwd)
    shared="$root/../shared"
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
    dotnet build "$root/src/Optimizer.Engine" -c Release -nologo -v:q
    engine="$root/src/Optimizer.Engine/bin/Release/net10.0/Optimizer.Engine.dll"
    mkdir -p "$work/app/models"
    for model in digits_mlp digits_cnn; do
      dotnet "$engine" optimize --model "$shared/data/models/$model.onnx" --output "$work/q/${model}_int8.onnx" \
        --pass "Quantize:Mode=StaticInt8,Calibration=$shared/data/digits/digits_train_x_1347x64.f32"
    done
    cp "$work"/q/*.kernels "$shared"/data/digits/digits_test_{x_450x64.f32,y_450.u8} "$work/app/models/"
    dotnet publish "$(dirname "$0")/IsaCheck.csproj" -c Release -r linux-x64 --self-contained -o "$work/app" -nologo -v:q
    tar -C "$work/app" -cJf "$out" .
    echo "packed $out"
    ;;
  check)
    for knob in "" DOTNET_EnableAVX512F=0 DOTNET_EnableAVXVNNI=0 DOTNET_EnableAVX2=0 DOTNET_EnableHWIntrinsic=0; do
      echo "== ${knob:-default}"
      env $knob ./IsaCheck
    done
    ;;
  *) echo "usage: $0 pack <out.tar.xz> | check" >&2; exit 2 ;;
esac
