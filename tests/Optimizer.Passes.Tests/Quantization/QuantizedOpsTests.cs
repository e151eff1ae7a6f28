using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Quantization;
using Optimizer.Passes.Quantization.Operators;
using Optimizer.Passes.Tests.Support;
using Xunit.Abstractions;
using Optimizer.Engine.Calibration;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>
/// Every op in the quantization registry (<see cref="QuantizedOps"/>), in a small model of its own:
/// static INT8 quantizes it in QDQ form and rewrites it to its QOperator form, and ONNX Runtime runs
/// both close to the float model. A registry entry without a case here fails
/// <see cref="Every_registered_op_has_a_case"/>, so a new op comes with its proof.
/// </summary>
public sealed class QuantizedOpsTests(ITestOutputHelper output)
{
    private const int Batch = 4;

    /// <summary>Op type → the model exercising it (the node under test is named "op") and what its QOperator form is.</summary>
    private static readonly Dictionary<string, (Func<OnnxModel> Model, string QOperator)> Cases = new()
    {
        ["Conv"] = (() => Image(g => g.Nodes.Add(ConvNode(g, "x", "y", "op"))), "QLinearConv"),
        ["Gemm"] = (() => Vector(g =>
        {
            g.Initializers.Add(OnnxTensor.FromFloats("B", [6, 8], GraphBuilder.Values(48, 2)));
            g.Initializers.Add(OnnxTensor.FromFloats("C", [6], GraphBuilder.Values(6, 3)));
            var gemm = new OnnxNode("Gemm", ["x", "B", "C"], ["y"], "op");
            gemm.SetAttribute(OnnxAttribute.FromInt("transB", 1));
            g.Nodes.Add(gemm);
        }), "QGemm"),
        ["MatMul"] = (() => Vector(g =>
        {
            // A Relu after it makes its output quantized (folded), which QLinearMatMul needs.
            g.Initializers.Add(OnnxTensor.FromFloats("W", [8, 6], GraphBuilder.Values(48, 4)));
            g.Nodes.Add(new OnnxNode("MatMul", ["x", "W"], ["m"], "op"));
            g.Nodes.Add(new OnnxNode("Relu", ["m"], ["y"], "relu"));
        }), "QLinearMatMul"),
        ["Add"] = (() => AfterConv((g, c) => g.Nodes.Add(new OnnxNode("Add", [c, "x"], ["y"], "op"))), "QLinearAdd"),
        ["Mul"] = (() => AfterConv((g, c) =>
        {
            g.Initializers.Add(OnnxTensor.FromFloats("scale", [4, 1, 1], [0.5f, -1f, 2f, 0.25f]));
            g.Nodes.Add(new OnnxNode("Mul", [c, "scale"], ["y"], "op"));
        }), "QLinearMul"),
        ["AveragePool"] = (() => AfterConv((g, c) => g.Nodes.Add(Pool("AveragePool", c))), "QLinearAveragePool"),
        ["GlobalAveragePool"] = (() => AfterConv((g, c) => g.Nodes.Add(new OnnxNode("GlobalAveragePool", [c], ["y"], "op"))), "QLinearGlobalAveragePool"),
        ["Concat"] = (() => AfterConv((g, c) =>
        {
            var concat = new OnnxNode("Concat", [c, "x"], ["y"], "op");
            concat.SetAttribute(OnnxAttribute.FromInt("axis", 1));
            g.Nodes.Add(concat);
        }), "QLinearConcat"),
        ["MaxPool"] = (() => AfterConv((g, c) => g.Nodes.Add(Pool("MaxPool", c))), "MaxPool"),
        ["Flatten"] = (() => AfterConv((g, c) => g.Nodes.Add(new OnnxNode("Flatten", [c], ["y"], "op"))), "Flatten"),
        ["Reshape"] = (() => AfterConv((g, c) =>
        {
            g.Initializers.Add(OnnxTensor.FromInt64s("shape", [2], [-1, 144]));
            g.Nodes.Add(new OnnxNode("Reshape", [c, "shape"], ["y"], "op"));
        }), "Reshape"),
        ["Transpose"] = (() => AfterConv((g, c) =>
        {
            var transpose = new OnnxNode("Transpose", [c], ["y"], "op");
            transpose.SetAttribute(OnnxAttribute.FromInts("perm", [0, 2, 3, 1]));
            g.Nodes.Add(transpose);
        }), "Transpose"),
        ["Squeeze"] = (() => AfterConv((g, c) =>
        {
            g.Initializers.Add(OnnxTensor.FromInt64s("axes", [1], [1]));
            g.Nodes.Add(new OnnxNode("Squeeze", [c, "axes"], ["y"], "op"));
        }, outputChannels: 1), "Squeeze"),
        ["Unsqueeze"] = (() => AfterConv((g, c) =>
        {
            g.Initializers.Add(OnnxTensor.FromInt64s("axes", [1], [1]));
            g.Nodes.Add(new OnnxNode("Unsqueeze", [c, "axes"], ["y"], "op"));
        }), "Unsqueeze"),
    };

    public static TheoryData<string> OpTypes => new(Cases.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Every_registered_op_has_a_case()
    {
        Assert.Equal(QuantizedOps.OpTypes.Order(StringComparer.Ordinal), Cases.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(OpTypes))]
    public void Each_op_is_quantized_in_qdq_and_qoperator_form_and_runs_in_onnx_runtime(string opType)
    {
        var (build, qOperator) = Cases[opType];
        var model = build();
        var input = model.Graph.Inputs[0];
        long[] shape = [Batch, .. input.Type!.Shape!.Skip(1).Select(d => d.Size!.Value)];
        var x = GraphBuilder.Values((int)shape.Aggregate(1L, (a, d) => a * d), 11);
        var expected = Ort.Run(model, (input.Name, x, shape));

        var qdq = model.Clone();
        var qdqReport = Quantize(qdq, QuantizationFormat.Qdq, shape);
        output.WriteLine(qdqReport.Summary);
        Assert.Contains(qdqReport.Changed, c => c.Node == "op");
        var op = Assert.Single(qdq.Graph.Nodes, n => n.Name == "op");
        Assert.Equal(opType, op.OpType);
        Assert.Equal("DequantizeLinear", qdq.Graph.FindProducer(op.Inputs[0])?.OpType);
        AssertClose(expected, Ort.Run(qdq, (input.Name, x, shape)), "QDQ");

        var qOperatorModel = model.Clone();
        var qOperatorReport = Quantize(qOperatorModel, QuantizationFormat.QOperator, shape);
        output.WriteLine(qOperatorReport.Summary);
        var rewritten = Assert.Single(qOperatorModel.Graph.Nodes, n => n.Name == "op");
        Assert.Equal(qOperator, rewritten.OpType);
        Assert.NotEqual("DequantizeLinear", qOperatorModel.Graph.FindProducer(rewritten.Inputs[0])?.OpType); // reads the 8-bit tensor
        AssertClose(expected, Ort.Run(qOperatorModel, (input.Name, x, shape)), "QOperator");
    }

    [Theory]
    [InlineData("Conv", new long[] { 8, 4, 3, 3 }, 0, 36, 8, true)]
    [InlineData("Gemm", new long[] { 8, 6 }, 1, 8, 6, false)]
    [InlineData("Gemm transB", new long[] { 6, 8 }, 0, 8, 6, true)]
    [InlineData("MatMul", new long[] { 8, 6 }, 1, 8, 6, false)]
    public void Weight_layouts_put_the_output_channels_on_the_per_channel_axis(string op, long[] dims, int axis, long k, long n, bool transB)
    {
        var node = new OnnxNode(op.Split(' ')[0], ["x", "w"], ["y"]);
        if (op.EndsWith("transB", StringComparison.Ordinal))
        {
            node.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        }

        var layout = QuantizedOps.Find(node)!.Weight!.Layout(node, dims);

        Assert.Equal(new WeightLayout(axis, k, n, transB), layout);
        Assert.Equal(n, dims[axis]);
    }

    /// <summary>Static INT8 of <paramref name="model"/> in place, calibrated on 64 deterministic samples of <paramref name="shape"/> (batch first).</summary>
    private static PassReport Quantize(OnnxModel model, QuantizationFormat format, long[] shape)
    {
        long[] samples = [64, .. shape.Skip(1)];
        var context = new PassContext
        {
            CalibrationData = TestSamples.Named("calib", TestSamples.Floats(model.Graph.Inputs[0].Name, GraphBuilder.Values((int)samples.Aggregate(1L, (a, d) => a * d), 5), samples)),
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var options = new StaticInt8Options("calib", new CalibrationSettings(CalibrationMethod.MinMax, 99.999), QuantizedActivationType.UInt8, ReduceRange: true,
            Granularity: WeightGranularity.PerChannel, Format: format);
        return new StaticInt8Quantization(options, context).Run(model);
    }

    /// <summary>Within 5% of the float output's largest magnitude: a few 8-bit steps over two or three quantized values.</summary>
    private static void AssertClose(float[] expected, float[] actual, string form)
    {
        Assert.Equal(expected.Length, actual.Length);
        var bound = 0.05 * expected.Max(Math.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= bound, $"{form}: max |Δ| {worst} > {bound}");
    }

    /// <summary>x [batch, 4, 6, 6] → <paramref name="body"/> → y.</summary>
    private static OnnxModel Image(Action<OnnxGraph> body) =>
        Model(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(6), Dim.Fixed(6)), body);

    /// <summary>x [batch, 8] → <paramref name="body"/> → y.</summary>
    private static OnnxModel Vector(Action<OnnxGraph> body) => Model(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(8)), body);

    /// <summary>x → Conv 3×3 (4 → <paramref name="outputChannels"/>, same size) → c, so the op under test reads a quantized activation.</summary>
    private static OnnxModel AfterConv(Action<OnnxGraph, string> body, int outputChannels = 4) => Image(g =>
    {
        g.Nodes.Add(ConvNode(g, "x", "c", "conv", outputChannels));
        body(g, "c");
    });

    private static OnnxModel Model(ValueInfo input, Action<OnnxGraph> body)
    {
        var graph = new OnnxGraph("op");
        graph.DeclaredInputs.Add(input);
        body(graph);
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    /// <summary>A 3×3 Conv with padding 1 from 4 channels, its weight and bias added to <paramref name="graph"/>.</summary>
    private static OnnxNode ConvNode(OnnxGraph graph, string input, string output, string name, int outputChannels = 4)
    {
        var conv = new OnnxNode("Conv", [input, $"{name}_w", $"{name}_b"], [output], name);
        conv.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        graph.Initializers.AddRange(
        [
            OnnxTensor.FromFloats($"{name}_w", [outputChannels, 4, 3, 3], GraphBuilder.Values(outputChannels * 36, 6)),
            OnnxTensor.FromFloats($"{name}_b", [outputChannels], GraphBuilder.Values(outputChannels, 7)),
        ]);
        return conv;
    }

    private static OnnxNode Pool(string opType, string input)
    {
        var pool = new OnnxNode(opType, [input], ["y"], "op");
        pool.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [2, 2]));
        pool.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        return pool;
    }
}
