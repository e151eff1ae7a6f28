using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Support;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>
/// Static INT8 on a small residual CNN (Conv3×3+Relu+Conv3×3+Add+Relu blocks, a per-channel Mul and
/// a scalar Add by constants): ONNX Runtime's optimized graph must run it as quantized kernels end to
/// end, with no DequantizeLinear → QuantizeLinear requantization through fp32 and no float
/// Add/Mul/Relu left between quantized ops.
/// </summary>
public sealed class ResidualQdqFusionTests(ITestOutputHelper output)
{
    private const int Channels = 16;
    private const int Size = 32;
    private const int Blocks = 3;

    [Theory]
    [InlineData("UInt8")]
    [InlineData("Int8")]
    public void Residual_cnn_runs_as_quantized_kernels_without_float_requantization(string activationType)
    {
        var model = ResidualCnn(seed: 7);
        var result = PassPipeline.Run(model, [Static(activationType)], Context());
        output.WriteLine(result.Reports[0].Summary);
        foreach (var skip in result.Reports[0].Skipped)
        {
            output.WriteLine($"skipped {skip.Node}: {skip.Reason}");
        }

        Assert.DoesNotContain(result.Model.Graph.Nodes, n => n.OpType == "Relu");
        foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_EXTENDED, GraphOptimizationLevel.ORT_ENABLE_ALL })
        {
            var graph = OptimizedGraph(result.Model, level);
            var counts = graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"{level}: {OrtOptimizedGraph.Describe(counts)}");
            if (activationType == "Int8")
            {
                // ORT's x86 CPU provider fuses int8-activation QDQ only where S8S8 kernels are fast
                // (AVX-512 VNNI; Arm): elsewhere it leaves Conv/Add in float whatever we write, so
                // only the numbers are checked for Int8.
                continue;
            }

            var requantized = graph.Nodes.Where(n => n.OpType == "DequantizeLinear" && graph.FindConsumers(n.Outputs[0]).Any(c => c.OpType == "QuantizeLinear")).ToList();
            Assert.True(requantized.Count == 0, $"{level}: {requantized.Count} DequantizeLinear → QuantizeLinear pairs left");
            Assert.DoesNotContain(graph.Nodes, n => n.OpType is "Add" or "Mul" or "Relu" or "Clip" or "Conv");
            Assert.Equal(1 + 2 * Blocks, counts.GetValueOrDefault("QLinearConv"));
            Assert.Equal(Blocks + 1, counts.GetValueOrDefault("QLinearAdd"));
            Assert.Equal(1, counts.GetValueOrDefault("QLinearMul"));
            Assert.Equal(1, counts.GetValueOrDefault("QLinearGlobalAveragePool"));
            Assert.Equal(1, counts.GetValueOrDefault("QuantizeLinear")); // the input only
            Assert.Equal(0, counts.GetValueOrDefault("DequantizeLinear")); // QGemm writes float logits
        }

        var x = ModelInput(8, seed: 1234);
        var expected = Ort.Run(model, ("x", x, [8, 3, Size, Size]));
        var actual = Ort.Run(result.Model, ("x", x, [8, 3, Size, Size]));
        var span = expected.Max() - expected.Min();
        var error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"max |int8 - fp32| = {error:G4} over an fp32 output range of {span:G4} ({100 * error / span:F2}%)");
        Assert.True(error / span < 0.05, $"max abs error {error} is {100 * error / span:F2}% of the output range {span}");
    }

    [Fact]
    public void A_relu_after_an_add_left_in_float_is_put_back()
    {
        // The Add's second operand is an initializer the caller may override (declared as an input): no quantized form.
        var graph = new OnnxGraph("add_relu");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("N"), Dim.Fixed(8)));
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("c", Dim.Fixed(8)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("N"), Dim.Fixed(8)));
        graph.Initializers.Add(OnnxTensor.FromFloats("c", [8], GraphBuilder.Values(8, 3)));
        graph.Nodes.Add(new OnnxNode("Add", ["x", "c"], ["s"], "add"));
        graph.Nodes.Add(new OnnxNode("Relu", ["s"], ["y"], "relu"));
        var model = new OnnxModel(graph, [new OpsetImport("", 13)]);
        var context = new PassContext
        {
            CalibrationData = TestSamples.Named("calib", TestSamples.Floats("x", GraphBuilder.Values(16 * 8, 5), 16, 8)),
            Executor = new OnnxRuntimeModelExecutor(),
        };

        var result = PassPipeline.Run(model, [Static("UInt8")], context);

        Assert.Equal(["Add", "Relu"], result.Model.Graph.Nodes.Select(n => n.OpType));
        Assert.Contains(result.Reports[0].Skipped, s => s.Node == "add");
        var x = GraphBuilder.Values(4 * 8, 9);
        Assert.Equal(Ort.Run(model, ("x", x, [4, 8])), Ort.Run(result.Model, ("x", x, [4, 8])));
    }

    [Fact]
    public void A_constant_operand_becomes_one_per_tensor_8_bit_initializer()
    {
        var model = ResidualCnn(seed: 3);
        var result = PassPipeline.Run(model, [Static("UInt8")], Context());

        var initializers = result.Model.Graph.Initializers;
        Assert.DoesNotContain(initializers, t => t.Name is "scale" or "shift");
        var scale = Assert.Single(initializers, t => t.Name.StartsWith("scale_q", StringComparison.Ordinal));
        Assert.Equal(TensorElementType.UInt8, scale.ElementType);
        Assert.Equal([1L, Channels, 1, 1], scale.Dims);
        var shift = Assert.Single(initializers, t => t.Name.StartsWith("shift_q", StringComparison.Ordinal));
        Assert.Empty(shift.Dims);
        var dq = Assert.Single(result.Model.Graph.Nodes, n => n.OpType == "DequantizeLinear" && n.Inputs[0] == shift.Name);
        Assert.Empty(result.Model.Graph.FindInitializer(dq.Inputs[1])!.Dims); // scalar scale: what QLinearAdd takes
        // A scalar constant is exact: the range [0, c] puts it on qmax.
        var s = result.Model.Graph.FindInitializer(dq.Inputs[1])!.ToFloatArray()[0];
        Assert.True(Math.Abs(shift.ToUInt8Array()[0] * s - 0.25f) < 1e-6f);
    }

    private static PassRequest Static(string activationType) =>
        new("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "calib", ["ActivationType"] = activationType });

    private static PassContext Context() => new()
    {
        CalibrationData = TestSamples.Named("calib", TestSamples.Floats("x", ModelInput(32, seed: 99), 32, 3, Size, Size)),
        Executor = new OnnxRuntimeModelExecutor(),
    };

    private static float[] ModelInput(int samples, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, samples * 3 * Size * Size).Select(_ => random.NextSingle()).ToArray();
    }

    /// <summary>
    /// x [N,3,32,32] → Conv3×3(16)+Relu → 3 × (Conv3×3+Relu+Conv3×3 + x → Add → Relu) → Mul by a
    /// per-channel constant → Add a scalar constant → Relu → GlobalAveragePool → Flatten → Gemm(10).
    /// </summary>
    private static OnnxModel ResidualCnn(int seed)
    {
        var random = new Random(seed);
        var graph = new OnnxGraph("residual_cnn");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("N"), Dim.Fixed(3), Dim.Fixed(Size), Dim.Fixed(Size)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("N"), Dim.Fixed(10)));
        float[] Uniform(int count, float bound) => Enumerable.Range(0, count).Select(_ => (random.NextSingle() * 2 - 1) * bound).ToArray();

        string Conv(string input, int inChannels, string name)
        {
            graph.Initializers.Add(OnnxTensor.FromFloats($"{name}.w", [Channels, inChannels, 3, 3], Uniform(Channels * inChannels * 9, MathF.Sqrt(6f / (inChannels * 9)))));
            graph.Initializers.Add(OnnxTensor.FromFloats($"{name}.b", [Channels], Uniform(Channels, 0.1f)));
            var conv = new OnnxNode("Conv", [input, $"{name}.w", $"{name}.b"], [$"{name}_out"], name);
            conv.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [3, 3]));
            conv.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
            graph.Nodes.Add(conv);
            return conv.Outputs[0];
        }

        string Node(string op, string name, params string[] inputs)
        {
            graph.Nodes.Add(new OnnxNode(op, inputs, [$"{name}_out"], name));
            return $"{name}_out";
        }

        var x = Node("Relu", "stem_relu", Conv("x", 3, "stem"));
        for (var b = 0; b < Blocks; b++)
        {
            var h = Node("Relu", $"b{b}_relu1", Conv(x, Channels, $"b{b}_conv1"));
            var sum = Node("Add", $"b{b}_add", Conv(h, Channels, $"b{b}_conv2"), x);
            x = Node("Relu", $"b{b}_relu2", sum);
        }

        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [1, Channels, 1, 1], Uniform(Channels, 1f)));
        graph.Initializers.Add(OnnxTensor.FromFloats("shift", [], [0.25f]));
        x = Node("Relu", "head_relu", Node("Add", "head_shift", Node("Mul", "head_scale", x, "scale"), "shift"));
        x = Node("GlobalAveragePool", "gap", x);
        var flatten = new OnnxNode("Flatten", [x], ["flat"], "flatten");
        flatten.SetAttribute(OnnxAttribute.FromInt("axis", 1));
        graph.Nodes.Add(flatten);
        graph.Initializers.Add(OnnxTensor.FromFloats("fc.w", [10, Channels], Uniform(10 * Channels, 0.5f)));
        graph.Initializers.Add(OnnxTensor.FromFloats("fc.b", [10], Uniform(10, 0.1f)));
        var gemm = new OnnxNode("Gemm", ["flat", "fc.w", "fc.b"], ["y"], "fc");
        gemm.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(gemm);
        return new OnnxModel(graph, [new OpsetImport("", 13)], irVersion: 8);
    }

    /// <summary>ORT's optimized graph at <paramref name="level"/>, as saved by OptimizedModelFilePath.</summary>
    private static OnnxGraph OptimizedGraph(OnnxModel model, GraphOptimizationLevel level)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ort-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { OptimizedModelFilePath = path, GraphOptimizationLevel = level, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
            using (new InferenceSession(OnnxModelWriter.ToBytes(model), options))
            {
            }

            return OnnxModelLoader.Load(path).Graph;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
