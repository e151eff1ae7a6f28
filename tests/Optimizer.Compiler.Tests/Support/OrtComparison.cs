using System.Runtime.InteropServices;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>Compiles a model and runs it against ONNX Runtime: float outputs within the tolerance, other outputs equal.</summary>
internal static class OrtComparison
{
    /// <summary>The compiled program (the caller disposes it), after its outputs matched ONNX Runtime's on <paramref name="inputs"/>.</summary>
    public static KernelProgram AssertSameAsOrt(OnnxModel model, OnnxTensor[] inputs, double atol = Tolerance.AbsoluteTolerance)
    {
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        var program = result.Program!;
        var expected = OrtRunner.Run(model, inputs);
        var actual = ProgramRunner.Run(program, inputs);
        for (var o = 0; o < expected.Length; o++)
        {
            if (program.Outputs[o].ElementType == KernelElementType.Float32)
            {
                Assert.Null(Tolerance.Compare(MemoryMarshal.Cast<byte, float>(expected[o]), ProgramRunner.Floats(actual[o]), atol: atol));
            }
            else
            {
                Assert.Equal(expected[o], actual[o]);
            }
        }

        return program;
    }
}
