using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A static INT8 squeeze-excite block with a residual Add runs on the bytes from its input's Quantize to its output's
/// Dequantize: the pool is <see cref="StepKind.QLinearGlobalAveragePool"/>, the gate's Mul and the residual Add
/// <see cref="StepKind.QLinearBinary"/>, with no Dequantize → float step → Quantize round trip, and the program agrees
/// with ONNX Runtime on the same quantized model (1% of the largest output, as the other QDQ tests: ORT's own rounding of
/// the pool's mean and of each requantization may put a byte one step apart).
/// </summary>
public sealed class QuantizedSqueezeExciteTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_block_runs_on_the_bytes(int batch)
    {
        var quantized = QuantizedSqueezeExciteCnn.Quantized();
        foreach (var op in new[] { "GlobalAveragePool", "Mul", "Add" })
        {
            Assert.Contains(quantized.Graph.Nodes, n => n.OpType == op && quantized.Graph.FindProducer(n.Inputs[0])?.OpType == "DequantizeLinear");
        }

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Single(kinds, k => k == StepKind.QLinearGlobalAveragePool);
        // The squeeze and excite 1×1 convs read the pooled 1×1 plane: dense convs, one QGemm row per image.
        Assert.Equal(2, kinds.Count(k => k == StepKind.QGemm));
        Assert.Equal(2, kinds.Count(k => k == StepKind.QLinearBinary));
        Assert.DoesNotContain(StepKind.Binary, kinds);
        Assert.DoesNotContain(StepKind.GlobalPool, kinds);
        Assert.Equal([StepKind.Quantize, StepKind.Dequantize], kinds.Where(k => k is StepKind.Quantize or StepKind.Dequantize));

        long[] shape = [batch, .. QuantizedSqueezeExciteCnn.Sample];
        var x = SmallModels.Values((int)shape.Aggregate(1L, (a, d) => a * d), 11).Select(v => v * 4).ToArray();
        var expected = SharedModels.RunOrt(quantized, ("x", x, shape))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats("x", shape, x)])[0]);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch}: max |Δ| {worst} (max |y| {expected.Max(Math.Abs)}), {KernelDispatch.Current}");
        Assert.True(worst <= 0.01 * expected.Max(Math.Abs), $"the compiled squeeze-excite block differs from ONNX Runtime by {worst}");
    }

    /// <summary>
    /// PaddleOCR's direction classifier (real, ../shared/data) at 48 × 192, statically quantized on synthetic samples: its nine
    /// squeeze pools and the head's pool, nine gates and seven residual Adds run on the bytes (float is left only around the
    /// last hard-swish's MaxPool and in the head), and the probabilities agree with ONNX Runtime's on the same quantized model
    /// (equal here).
    /// </summary>
    [ConditionalFact("data")]
    public void The_quantized_ocr_classifier_runs_its_blocks_on_the_bytes()
    {
        var model = FixedShapes.Bind(SharedModels.Load("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
            new Dictionary<string, long> { ["p2o.DynamicDimension.0"] = 1, ["p2o.DynamicDimension.1"] = 48, ["p2o.DynamicDimension.2"] = 192 });
        long[] sample = [3, 48, 192];
        var quantized = StaticInt8.Quantize(model, new Passes.Calibration.CalibrationDataSet(SmallModels.Values(8 * 3 * 48 * 192, 5), [8, .. sample]), "8 random samples");

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        var kinds = program.Steps.Select(s => s.Kind).ToList();
        output.WriteLine(string.Join(", ", kinds.GroupBy(k => k).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Equal(10, kinds.Count(k => k == StepKind.QLinearGlobalAveragePool));
        Assert.Equal(16, kinds.Count(k => k == StepKind.QLinearBinary));
        Assert.Equal(18 + 1, kinds.Count(k => k == StepKind.QGemm)); // the nine blocks' squeeze and excite convs, and the head's MatMul
        Assert.True(kinds.Count(k => k == StepKind.Dequantize) <= 2, $"{kinds.Count(k => k == StepKind.Dequantize)} Dequantize steps");

        var x = SmallModels.Values(3 * 48 * 192, 11);
        var expected = SharedModels.RunOrt(quantized, ("x", x, [1, .. sample]))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats("x", [1, .. sample], x)])[0]);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"probabilities {string.Join(", ", actual)}, ORT {string.Join(", ", expected)}: max |Δ| {worst}");
        Assert.True(worst <= 0.01, $"the compiled quantized classifier differs from ONNX Runtime by {worst}");
    }
}
