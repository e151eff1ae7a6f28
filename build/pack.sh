#!/usr/bin/env bash
# Packs Optimizer.Runtime, Optimizer.Build, Optimizer.Training and Optimizer.Tool (the onnx-opt dotnet tool) into a feed folder.
#   build/pack.sh [feed-folder] [version]
# Defaults: build/packages (the local feed named in nuget.config) and the version in
# Directory.Build.props. Because NuGet never re-extracts a version it already holds, re-packing a
# version also drops that version from the global packages folder, so nothing stale is restored.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
feed=${1:-$root/build/packages}
version=${2:-}
version_arg=()
[ -n "$version" ] && version_arg=("-p:OptimizerVersion=$version")
mkdir -p "$feed"

dotnet pack "$root/src/Optimizer.Runtime/Optimizer.Runtime.csproj" -c Release -o "$feed" -nologo -v:q "${version_arg[@]}"
dotnet pack "$root/src/Optimizer.Build/Optimizer.Build.csproj" -c Release -o "$feed" -nologo -v:q "${version_arg[@]}"
dotnet pack "$root/src/Optimizer.Training/Optimizer.Training.csproj" -c Release -o "$feed" -nologo -v:q "${version_arg[@]}"
dotnet pack "$root/src/Optimizer.Tool/Optimizer.Tool.csproj" -c Release -o "$feed" -nologo -v:q "${version_arg[@]}"

effective=${version:-$(dotnet msbuild "$root/src/Optimizer.Runtime/Optimizer.Runtime.csproj" -getProperty:Version -nologo)}
global=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "$global/optimizer.build/$effective" "$global/optimizer.runtime/$effective" "$global/optimizer.tool/$effective" "$global/optimizer.training/$effective"
echo "packed Optimizer.Runtime, Optimizer.Build, Optimizer.Training and Optimizer.Tool $effective into $feed"
