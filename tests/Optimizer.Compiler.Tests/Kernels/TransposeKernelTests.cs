using System.Runtime.InteropServices;
using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The attention's transposes at edge sizes, against ONNX Runtime (exact): heads split
/// (0, 2, 1, 3: contiguous runs copied as blocks), K → Kᵀ (0, 2, 3, 1: planes transposed) and a
/// permutation with neither shape (the element loop).
/// </summary>
public sealed class TransposeKernelTests
{
    [Theory]
    [InlineData(1, 3, 8)]
    [InlineData(7, 2, 16)]
    [InlineData(17, 3, 7)]
    [InlineData(33, 2, 17)]
    public void Attention_transposes_match_onnx_runtime(int tokens, int heads, int depth)
    {
        foreach (var perm in new long[][] { [0, 2, 1, 3], [0, 2, 3, 1], [3, 1, 0, 2] })
        {
            var graph = new OnnxGraph("transpose");
            long[] shape = [1, tokens, heads, depth];
            graph.DeclaredInputs.Add(SmallModels.Tensor("x", [.. shape.Select(Dim.Fixed)]));
            graph.Nodes.Add(new OnnxNode("Transpose", ["x"], ["y"], "t") { Attributes = { OnnxAttribute.FromInts("perm", perm) } });
            graph.Outputs.Add(SmallModels.Tensor("y", [.. perm.Select(p => Dim.Fixed(shape[p]))]));
            var model = new OnnxModel(graph, [new OpsetImport("", 13)]) { IrVersion = 7 };
            var inputs = new[] { OnnxTensor.FromFloats("x", shape, SmallModels.Values(tokens * heads * depth, seed: tokens)) };

            var result = KernelCompiler.Compile(model);
            Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
            using var program = result.Program!;
            Assert.Equal(MemoryMarshal.Cast<byte, float>(OrtRunner.Run(model, inputs)[0]).ToArray(), ProgramRunner.Floats(ProgramRunner.Run(program, inputs)[0]));
        }
    }
}
