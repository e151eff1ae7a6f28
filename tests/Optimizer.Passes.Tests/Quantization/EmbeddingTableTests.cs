using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>Dynamic INT8 stores embedding tables (constant float tables read by Gather) as int8 rows.</summary>
public sealed class EmbeddingTableTests
{
    private static readonly PassRequest DynamicInt8 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" });

    [Fact]
    public void A_lookup_table_becomes_int8_rows_with_one_scale_each_and_stays_close()
    {
        var (model, table) = Lookup(rows: 100, width: 16);
        long[] ids = [0, 5, 99, 42, 5, -1];

        var result = PassPipeline.Run(model, [DynamicInt8]);

        var graph = result.Model.Graph;
        Assert.Null(graph.FindInitializer("table")); // the float table is gone
        Assert.Equal(TensorElementType.Int8, graph.FindInitializer("table_int8")!.ElementType);
        Assert.Equal([100L, 1L], graph.FindInitializer("table_row_scales")!.Dims);
        Assert.Contains("1 of 1 Gather tables", result.Reports[0].Summary);
        var expected = ids.SelectMany(id => table.AsSpan((int)((id + 100) % 100) * 16, 16).ToArray()).ToArray();
        var actual = Run(result.Model, ids);
        for (var i = 0; i < expected.Length; i++)
        {
            // Each row's own scale: the error is below half a step of that row, not of the largest row.
            var row = (int)((ids[i / 16] + 100) % 100);
            var rowMax = table.AsSpan(row * 16, 16).ToArray().Max(Math.Abs);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rowMax / 127 / 2 * 1.001, $"value {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void A_table_also_read_in_float_stays_float_with_the_reason()
    {
        // A tied output head reads the table transposed.
        var (model, _) = Lookup(rows: 100, width: 16);
        model.Graph.Nodes.Add(new OnnxNode("Transpose", ["table"], ["tied"], "tied_head"));
        model.Graph.Outputs.Add(GraphBuilder.Tensor("tied"));

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.Contains(result.Reports[0].Skipped, s => s.Node == "lookup" && s.Reason.Contains("also read by Transpose 'tied_head'"));
        Assert.NotNull(result.Model.Graph.FindInitializer("table"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Int4_stores_the_table_as_4_bit_blocks_read_by_GatherBlockQuantized(bool symmetric)
    {
        var (model, table) = Lookup(rows: 100, width: 64);
        long[] ids = [3, 0, 99, 3];
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "Int4", ["Symmetric"] = symmetric ? "true" : "false" });

        var result = PassPipeline.Run(model, [request]);

        var lookup = Assert.Single(result.Model.Graph.Nodes);
        Assert.Equal(("GatherBlockQuantized", "com.microsoft"), (lookup.OpType, lookup.Domain));
        Assert.Null(result.Model.Graph.FindInitializer("table"));
        Assert.Contains("1 of 1 Gather tables → GatherBlockQuantized", result.Reports[0].Summary);
        var actual = Run(result.Model, ids);
        for (var i = 0; i < actual.Length; i++)
        {
            // 4-bit blocks of 32: within one step (range / 15) of the block's values.
            var (row, column) = ((int)ids[i / 64], i % 64);
            var block = table.AsSpan(row * 64 + column / 32 * 32, 32).ToArray();
            var step = (block.Max() - Math.Min(0, block.Min())) / 15 * (symmetric ? 2 : 1);
            Assert.True(Math.Abs(table[row * 64 + column] - actual[i]) <= step, $"value {i}: {actual[i]} vs {table[row * 64 + column]}");
        }
    }

    [Fact]
    public void Embeddings_false_leaves_tables_alone()
    {
        var (model, _) = Lookup(rows: 100, width: 16);
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8", ["Embeddings"] = "false" });

        var result = PassPipeline.Run(model, [request]);

        Assert.NotNull(result.Model.Graph.FindInitializer("table"));
        Assert.DoesNotContain("Gather", result.Reports[0].Summary);
    }

    private static (OnnxModel Model, float[] Table) Lookup(int rows, int width)
    {
        var table = GraphBuilder.Values(rows * width, 7);
        for (var r = 0; r < rows; r++)
        {
            // Rows of very different sizes, as rare and frequent tokens have.
            for (var c = 0; c < width; c++)
            {
                table[r * width + c] *= 1 + r;
            }
        }

        var graph = new OnnxGraph("lookup");
        graph.DeclaredInputs.Add(new ValueInfo("ids", ValueTypeInfo.Tensor(TensorElementType.Int64, [Dim.Named("n")])));
        graph.Initializers.Add(OnnxTensor.FromFloats("table", [rows, width], table));
        graph.Nodes.Add(new OnnxNode("Gather", ["table", "ids"], ["embedded"], "lookup"));
        graph.Outputs.Add(GraphBuilder.Tensor("embedded"));
        return (new OnnxModel(graph, [new OpsetImport("", 13)]), table);
    }

    private static float[] Run(OnnxModel model, long[] ids)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(OnnxModelWriter.ToBytes(model));
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(ids, [ids.Length]);
        using var outputs = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["ids"], [input], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
