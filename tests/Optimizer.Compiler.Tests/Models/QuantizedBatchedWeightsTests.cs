using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A fused <see cref="StepKind.QConv"/> carries the batched path's tap-major weights and pixel tables (its seventh and eighth operands:
/// <see cref="Optimizer.Runtime.Compiled.Kernels.PackInt8TapMajor"/>, <see cref="Optimizer.Runtime.Compiled.Kernels.PackQConvPixelTables"/>)
/// where that path can take it, and empty operands elsewhere: in the chain CNN the second convolution (20 channels, a 4 × 5 plane,
/// uint8 out) has them, the first (3 channels, 9 × 11) has none. The program agrees with ONNX Runtime at batches that run the
/// batched path (≥ 4 images) and below; a program without the operands (one compiled before them) loads and runs per image, to
/// the same bytes; the stored program reads both weight forms from the model's initializer.
/// </summary>
public sealed class QuantizedBatchedWeightsTests(ITestOutputHelper output)
{
    private const int TapMajor = 6, PixelTables = 7;

    [Fact]
    public void Only_the_convolutions_the_batched_path_takes_carry_its_weights()
    {
        using var program = Compile();
        var convs = program.Steps.Where(s => s.Kind == StepKind.QConv).ToList();
        Assert.Equal(2, convs.Count);
        Assert.All(convs, s => Assert.Equal(8, s.Operands.Count));
        Assert.True(convs[0].Operands[TapMajor].IsEmpty && convs[0].Operands[PixelTables].IsEmpty, "3 input channels and a 99-pixel plane: no batched weights");
        Assert.Equal(Optimizer.Runtime.Compiled.Kernels.PackedInt8TapMajorLength(20, 5, 1, 3), convs[1].Operands[TapMajor].Length.Constant);
        Assert.Equal(Optimizer.Runtime.Compiled.Kernels.QConvPixelTablesLength(20, 5, 1, 3, 4, 5), convs[1].Operands[PixelTables].Length.Constant);
    }

    /// <summary>Both packings of the quantized convolutions' int8 initializers (per image and tap-major) are read from the model, not stored.</summary>
    [Fact]
    public void The_stored_program_reads_the_tap_major_weights_from_the_model()
    {
        var quantized = QuantizedChainCnn.Quantized();
        using var program = Compile();
        Assert.Contains(program.References, r => r.Transform == WeightTransform.PackInt8TapMajor && r.Args.SequenceEqual([20, 5, 1, 3]));
        Assert.Contains(program.References, r => r.Transform == WeightTransform.PackInt8B && r.Args.SequenceEqual([60, 5, 1]));
        using var loaded = KernelProgram.Read(program.ToBytes(ProgramWeights.FromModel), OnnxModelWriter.ToBytes(quantized));
        Assert.True(loaded.Weights.SequenceEqual(program.Weights));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public void Matches_onnx_runtime_and_the_per_image_program(int batch)
    {
        var quantized = QuantizedChainCnn.Quantized();
        using var program = Compile();
        using var perImage = WithoutBatchedWeights(program);
        long[] shape = [batch, .. QuantizedChainCnn.Sample];
        var x = SmallModels.Values((int)shape.Aggregate(1L, (a, d) => a * d), 17);
        var input = OnnxTensor.FromFloats("x", shape, x);
        var expected = SharedModels.RunOrt(quantized, ("x", x, shape))[0];
        var actual = ProgramRunner.Run(program, [input])[0];
        var worst = expected.Zip(ProgramRunner.Floats(actual), (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch}: max |Δ| {worst} (max |y| {expected.Max(Math.Abs)}), {KernelDispatch.Current}");
        Assert.True(worst <= 0.01 * expected.Max(Math.Abs), $"the compiled CNN differs from ONNX Runtime by {worst}");
        Assert.Equal(ProgramRunner.Run(perImage, [input])[0], actual);
    }

    private static KernelProgram Compile()
    {
        var result = KernelCompiler.Compile(QuantizedChainCnn.Quantized());
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        return result.Program!;
    }

    /// <summary>The program as compiled before QConv had the batched path's operands: its QConv steps' first six, read back from the stored form.</summary>
    private static KernelProgram WithoutBatchedWeights(KernelProgram program)
    {
        var steps = program.Steps.Select(s => s.Kind == StepKind.QConv ? s with { Operands = s.Operands.Take(TapMajor).ToList() } : s).ToList();
        using var old = new KernelProgram(program.Symbols, program.Inputs, program.Outputs, program.ArenaStorages, steps, program.Weights.ToArray(), program.Guards);
        return KernelProgram.Read(old.ToBytes());
    }
}
