#!/usr/bin/env bash
# Opt-in end-to-end check of issue 18 at the real sizes (not part of the test suite: ~6 GB of files, minutes):
# a fresh app declares a large model (make-large-models.py) with <OnnxModel Quantize="MODE" />, `dotnet build`s
# it against the packed package (the engine's peak memory from /usr/bin/time -v: the largest process of the
# build), and runs it: the generated class loads the optimized model and its external data from bin/…/models
# beside the app, and the app prints the output's cosine to ONNX Runtime's output of the original model.
#   build/run-large-model-app.sh FEED VERSION [MODEL (large_three|large_single)] [MODE (DynamicInt8|Int4)] [FOLDER]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
feed=${1:?usage: run-large-model-app.sh FEED VERSION [MODEL] [MODE] [FOLDER]}
version=${2:?version}
model=${3:-large_three}
mode=${4:-DynamicInt8}
folder="${5:-$root/artifacts/large-models}"
[ -f "$folder/$model.onnx.data" ] || /usr/bin/python3 "$root/build/make-large-models.py" "$folder"
inputs=$(/usr/bin/python3 -c "import onnx; m = onnx.load('$folder/$model.onnx', load_external_data=False); print(m.graph.input[0].type.tensor_type.shape.dim[1].dim_value)")

app=$(mktemp -d)
trap 'rm -rf "$app"' EXIT
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><add key="optimizer" value="$feed" /></packageSources></configuration>
XML
cat > "$app/LargeApp.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Optimizer.Build" Version="$version" />
    <OnnxModel Include="$folder/$model.onnx" ClassName="Large.Model" Quantize="$mode" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<CS
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.Runtime;

var x = new float[$inputs];
for (var i = 0; i < x.Length; i++) x[i] = MathF.Sin(i * 0.01f);
float[] optimized;
using (var model = new Large.Model())
{
    Console.WriteLine(\$"model file {Large.Model.Metadata.ModelFile}, path {model.ExecutionPath}");
    optimized = model.Run(new Large.Model.Input(new ModelTensor<float>(x, 1, x.Length))).Y.Span.ToArray();
}

// The original, in ONNX Runtime, after the optimized model is gone (prepacking off: it would copy the weights).
using var options = new SessionOptions();
options.AddSessionConfigEntry("session.disable_prepacking", "1");
using var original = new InferenceSession("$folder/$model.onnx", options);
using var results = original.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [1, x.Length]))]);
var expected = results[0].AsEnumerable<float>().ToArray();
double dot = 0, a = 0, b = 0;
for (var i = 0; i < expected.Length; i++) { dot += optimized[i] * expected[i]; a += optimized[i] * optimized[i]; b += expected[i] * expected[i]; }
Console.WriteLine(\$"outputs {optimized.Length}, cosine to the original {dot / Math.Sqrt(a * b):F5}");
CS
cd "$app"
/usr/bin/time -v dotnet build -c Release -nologo -v:n > build.log 2>&1 || { tail -40 build.log; exit 1; }
grep -E "OPT[0-9]{4}|quantize|warning" build.log | grep -v "^ *[0-9]*>Done" | head -5 || true
echo "dotnet build: peak RSS $(awk '/Maximum resident/ {print int($6 / 1024)}' build.log) MiB (model $(( ($(stat -c %s "$folder/$model.onnx") + $(stat -c %s "$folder/$model.onnx.data")) >> 20 )) MiB), $(grep -E 'Elapsed' build.log | sed 's/.*: //') wall"
ls -la bin/Release/net10.0/models bin/Release/net10.0/LargeApp.dll | sed 's/^/  /'
/usr/bin/time -v dotnet bin/Release/net10.0/LargeApp.dll > run.log 2>&1 || { cat run.log; exit 1; }
grep -E "^model file|^outputs" run.log
echo "app run: peak RSS $(awk '/Maximum resident/ {print int($6 / 1024)}' run.log) MiB, $(grep -E 'Elapsed' run.log | sed 's/.*: //') wall"
