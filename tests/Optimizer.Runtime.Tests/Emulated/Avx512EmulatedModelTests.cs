using Optimizer.Compiler;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>
/// Whole digits CNNs compiled here (as a build machine would) and run under the AVX-512 CPUs'
/// kernel tables (<see cref="ForcedKernelPaths"/>) against this machine's own run of the same
/// program: fp32 within float summation order (the zmm tiles add in another order than the ymm
/// ones; the batch of 64 takes Winograd and the batched panels), the quantized model's convolutions on the
/// int8 paths (Avx512BW pairs on Zen 4, AvxVnni quads on Zen 5).
/// </summary>
[Collection(ForcedKernelPaths.Name)]
public sealed class Avx512EmulatedModelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [ConditionalTheory(Needs.X64DefaultIsa, "data/models")]
    [MemberData(nameof(ForcedKernelPaths.Avx512Cpus), MemberType = typeof(ForcedKernelPaths))]
    public void Digits_cnn_gives_this_machines_logits(string cpu)
    {
        using var program = Compile("digits_cnn.onnx");
        foreach (var batch in new[] { 1, 5, 64 })
        {
            var images = Images(batch);
            var expected = Run(program, images, batch, null);
            var actual = Run(program, images, batch, cpu);
            AssertClose(expected, actual, 1e-4, $"batch {batch} on {cpu}");
        }
    }

    [ConditionalTheory(Needs.X64DefaultIsa)]
    [MemberData(nameof(ForcedKernelPaths.Avx512Cpus), MemberType = typeof(ForcedKernelPaths))]
    public void Quantized_digits_cnn_gives_this_machines_logits(string cpu)
    {
        var compiled = KernelCompiler.Compile(QuantizedDigitsCnn.Model());
        Assert.True(compiled.IsSupported, string.Join("; ", compiled.Unsupported));
        using var program = compiled.Program!;
        Assert.Equal(2, program.Steps.Count(step => step.Kind == StepKind.QConv));
        Assert.Contains(program.Steps, step => step.Kind == StepKind.QGemm);
        foreach (var batch in new[] { 1, 5, 64 })
        {
            var images = Images(batch);
            var expected = Run(program, images, batch, null);
            Assert.True(expected.Distinct().Count() >= expected.Length / 2, "the grids saturate: the logits would not tell the paths apart");
            var actual = Run(program, images, batch, cpu);
            AssertClose(expected, actual, 0, $"batch {batch} on {cpu}"); // integer sums, the same float requantization: the same bits
        }
    }

    private static KernelProgram Compile(string file)
    {
        var result = KernelCompiler.Compile(OnnxModelLoader.Load(SharedData.PathOf("models/" + file)));
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        return result.Program!;
    }

    /// <summary>8×8 images with the digits set's pixel range (0–16).</summary>
    private static float[] Images(int batch)
    {
        var random = new Random(batch);
        return Enumerable.Range(0, batch * 64).Select(_ => (float)random.Next(17)).ToArray();
    }

    /// <summary>The logits, the executor made (its weights packed) and run under <paramref name="cpu"/>'s table, or this machine's when null.</summary>
    private static float[] Run(KernelProgram program, float[] images, int batch, string? cpu)
    {
        using var forced = cpu is null ? null : ForcedKernelPaths.As(cpu);
        using var executor = new KernelExecutor(program);
        var logits = new float[batch * 10];
        executor.Run([[batch, 1, 8, 8]], [images], [logits]);
        return logits;
    }

    private void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / (1 + Math.Abs(e))).Max();
        output.WriteLine($"{what}: largest difference {worst:G3} of 1 + |logit|");
        Assert.True(worst <= tolerance, $"{what}: logits differ by {worst:G3} of 1 + |logit|");
    }
}
