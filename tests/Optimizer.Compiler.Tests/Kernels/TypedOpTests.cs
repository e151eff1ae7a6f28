using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The typed kernels where the conformance suite has no case: int64 ids gathered at run time from
/// an embedding table, an attention mask turned into a float bias (Cast, Equal, Where), a bool
/// output, Gelu over a wide range. Each graph runs compiled at two batch sizes and in ONNX Runtime;
/// integer and bool outputs must be equal, floats within rtol 1e-3.
/// </summary>
public sealed class TypedOpTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Int64_ids_gather_embedding_rows_and_a_mask_becomes_a_bias_like_onnx_runtime(int batch)
    {
        var graph = new OnnxGraph("typed");
        graph.DeclaredInputs.Add(new ValueInfo("ids", ValueTypeInfo.Tensor(TensorElementType.Int64, [Dim.Named("batch"), Dim.Fixed(5)])));
        var random = new Random(3);
        graph.Initializers.Add(OnnxTensor.FromFloats("table", [50, 8], Enumerable.Range(0, 400).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()));
        graph.Initializers.Add(OnnxTensor.FromInt64s("zero", [], [0L]));
        graph.Initializers.Add(OnnxTensor.FromFloats("masked", [], [-10000f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("open", [], [0f]));
        graph.Nodes.Add(new OnnxNode("Gather", ["table", "ids"], ["rows"], "embed"));
        graph.Nodes.Add(new OnnxNode("Equal", ["ids", "zero"], ["padding"], "is_padding"));
        graph.Nodes.Add(new OnnxNode("Where", ["padding", "masked", "open"], ["bias"], "bias"));
        graph.Nodes.Add(new OnnxNode("Not", ["padding"], ["real"], "real"));
        graph.Nodes.Add(new OnnxNode("Cast", ["ids"], ["ids_float"], "cast") { Attributes = { OnnxAttribute.FromInt("to", (long)TensorElementType.Float) } });
        graph.Outputs.Add(new ValueInfo("rows", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(5), Dim.Fixed(8)])));
        graph.Outputs.Add(new ValueInfo("bias", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(5)])));
        graph.Outputs.Add(new ValueInfo("real", ValueTypeInfo.Tensor(TensorElementType.Bool, [Dim.Named("batch"), Dim.Fixed(5)])));
        graph.Outputs.Add(new ValueInfo("ids_float", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(5)])));
        var model = new OnnxModel(graph, [new OpsetImport("", 17)]) { IrVersion = 8 };
        var ids = Enumerable.Range(0, batch * 5).Select(i => i % 5 >= 3 ? 0L : random.Next(-50, 50)).ToArray();

        AssertSameAsOrt(model, [OnnxTensor.FromInt64s("ids", [batch, 5], ids)], batch);
    }

    [Fact]
    public void Gather_of_runtime_data_with_int32_indices_on_the_last_axis_matches_onnx_runtime()
    {
        var graph = new OnnxGraph("gather-axis");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(6)])));
        graph.Initializers.Add(OnnxTensor.FromInt32s("picks", [2, 2], [5, 0, -1, 2]));
        graph.Nodes.Add(new OnnxNode("Gather", ["x", "picks"], ["y"], "pick") { Attributes = { OnnxAttribute.FromInt("axis", -1) } });
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(2), Dim.Fixed(2)])));
        var model = new OnnxModel(graph, [new OpsetImport("", 17)]) { IrVersion = 8 };

        AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [2, 3, 6], Enumerable.Range(0, 36).Select(i => i * 0.5f).ToArray())], 2);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("tanh")]
    public void Gelu_and_erf_over_a_wide_range_match_onnx_runtime(string approximate)
    {
        var graph = new OnnxGraph("gelu");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(2001)])));
        graph.Nodes.Add(new OnnxNode("Gelu", ["x"], ["g"], "gelu") { Attributes = { OnnxAttribute.FromString("approximate", approximate) } });
        graph.Nodes.Add(new OnnxNode("Erf", ["x"], ["e"], "erf"));
        graph.Outputs.Add(new ValueInfo("g", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(2001)])));
        graph.Outputs.Add(new ValueInfo("e", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(2001)])));
        var model = new OnnxModel(graph, [new OpsetImport("", 20)]) { IrVersion = 9 };

        AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [2001], Enumerable.Range(-1000, 2001).Select(i => i * 0.006f).ToArray())], 1, atol: 1e-6);
    }

    private static void AssertSameAsOrt(OnnxModel model, OnnxTensor[] inputs, int batch, double atol = Tolerance.AbsoluteTolerance) =>
        OrtComparison.AssertSameAsOrt(model, inputs, atol).Dispose();
}
