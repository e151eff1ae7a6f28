using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Runtime.Compiled;
using Xunit.Abstractions;
using Optimizer.Engine.Calibration;

using static Optimizer.Compiler.Tests.Support.SmallModels;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Each weighted op the quantizer writes (Conv, Gemm with and without transB, MatMul), statically
/// quantized per channel by Optimizer.Passes, compiles to an integer kernel: QDQ fusion accepts a
/// per-channel weight only along the axis the quantizer wrote it on (both read it from the linked
/// WeightedOp), so a drift between the two would leave a float Conv/Gemm here. The program must
/// agree with ONNX Runtime on the same quantized model (1% of the largest output, as for the
/// digits models in <see cref="SharedModelTests"/>).
/// </summary>
public sealed class QuantizedWeightFusionTests(ITestOutputHelper output)
{
    private const int Batch = 4;

    [Theory]
    [InlineData("Conv", StepKind.QConv)]
    [InlineData("Gemm", StepKind.QGemm)]
    [InlineData("Gemm transB", StepKind.QGemm)]
    [InlineData("MatMul", StepKind.QGemm)]
    public void Per_channel_weights_from_the_quantizer_run_as_integer_kernels(string layer, StepKind kernel)
    {
        var model = Layer(layer);
        var input = model.Graph.Inputs[0];
        long[] sample = input.Type!.Shape!.Skip(1).Select(d => d.Size!.Value).ToArray();
        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, SampleSet> { ["calib"] = FloatInputSamples.From(model, new CalibrationDataSet(Values(64 * (int)sample.Aggregate(1L, (a, d) => a * d), 5), [64, .. sample]), "64 test samples") },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var options = new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "calib", ["WeightGranularity"] = "PerChannel" };
        var quantized = PassPipeline.Run(model, [new PassRequest("Quantize", options)], context).Model;

        var node = Assert.Single(quantized.Graph.Nodes, n => n.OpType == layer.Split(' ')[0]);
        var weightDq = quantized.Graph.FindProducer(node.Inputs[1]);
        Assert.Equal("DequantizeLinear", weightDq?.OpType);
        Assert.True(quantized.Graph.FindConstant(weightDq!.Inputs[1])!.ElementCount > 1, "the weight is not per channel");

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        Assert.Contains(program.Steps, s => s.Kind == kernel);
        Assert.DoesNotContain(program.Steps, s => s.Kind is StepKind.Conv or StepKind.Gemm);

        long[] shape = [Batch, .. sample];
        var x = Values((int)shape.Aggregate(1L, (a, d) => a * d), 11);
        var expected = SharedModels.RunOrt(quantized, (input.Name, x, shape))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats(input.Name, shape, x)])[0]);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{layer}: max |Δ| {worst} (max |y| {expected.Max(Math.Abs)})");
        Assert.True(worst <= 0.01 * expected.Max(Math.Abs), $"the compiled {layer} differs from ONNX Runtime by {worst}");
    }

    /// <summary>One layer with random weights: Conv 3×3 (4 → 8 channels, 6×6), Gemm 8 → 6 with a bias (B [K, N], or [N, K] with transB), MatMul 8 → 6.</summary>
    private static OnnxModel Layer(string layer)
    {
        var graph = new OnnxGraph("layer");
        OnnxNode node;
        if (layer == "Conv")
        {
            graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(6), Dim.Fixed(6)));
            graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(8), Dim.Fixed(6), Dim.Fixed(6)));
            graph.Initializers.Add(OnnxTensor.FromFloats("W", [8, 4, 3, 3], Values(8 * 36, 1)));
            graph.Initializers.Add(OnnxTensor.FromFloats("B", [8], Values(8, 2)));
            node = new OnnxNode("Conv", ["x", "W", "B"], ["y"], "layer");
            node.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        }
        else
        {
            var transB = layer == "Gemm transB";
            graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(8)));
            graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(6)));
            graph.Initializers.Add(OnnxTensor.FromFloats("W", transB ? [6, 8] : [8, 6], Values(48, 1)));
            if (layer == "MatMul")
            {
                node = new OnnxNode("MatMul", ["x", "W"], ["y"], "layer");
            }
            else
            {
                graph.Initializers.Add(OnnxTensor.FromFloats("C", [6], Values(6, 2)));
                node = new OnnxNode("Gemm", ["x", "W", "C"], ["y"], "layer");
                node.SetAttribute(OnnxAttribute.FromInt("transB", transB ? 1 : 0));
            }
        }

        graph.Nodes.Add(node);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}
