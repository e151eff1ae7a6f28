using System.Diagnostics;
using Optimizer.Onnx;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Cleanup;

/// <summary>
/// Constants whose shapes or values describe absurd results (2^40 elements, counts that wrap a
/// long, NaN ranges, long.MinValue / -1): folding must leave the node and say why, without
/// allocating the result, wrapping a count, or letting an exception out of the pass.
/// </summary>
public sealed class HostileFoldingTests
{
    private const long TwoTo32 = 1L << 32;

    public static TheoryData<string> Cases => new()
    {
        "ConstantOfShape 2^40 elements",
        "Range to +infinity",
        "Range with a NaN delta",
        "Add whose broadcast is 4M elements",
        "Gather whose result is 2M elements",
        "Div of int64 min by -1",
    };

    /// <summary>Constants whose result shape inference proves impossible: the pipeline refuses the model with a code before folding.</summary>
    public static TheoryData<string, string> ImpossibleCases => new()
    {
        { "ConstantOfShape whose element count wraps a long to 0", OnnxErrorCodes.TensorTooLarge },
        { "ConstantOfShape with a negative dim", OnnxErrorCodes.NodeInconsistent },
        { "Reshape of an empty tensor to dims that wrap a long to 0", OnnxErrorCodes.TensorTooLarge },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_hostile_constant_is_not_folded_and_the_pass_says_why(string name)
    {
        var (model, hostile) = Build(name);

        var result = PassPipeline.Run(model, []);

        Assert.Contains(result.Model.Graph.Nodes, n => n.Name == hostile);
        var skip = Assert.Single(Report(result, "Cleanup").Skipped, s => s.Node == hostile);
        Assert.Matches("elements|negative|NaN|infinite|not folded|overflow", skip.Reason);
        Assert.DoesNotContain(result.Model.Graph.Initializers, t => t.Name == "h");
    }

    [Theory]
    [MemberData(nameof(ImpossibleCases))]
    public void A_constant_whose_result_cannot_exist_is_refused_with_a_code(string name, string code)
    {
        var (model, hostile) = Build(name);

        var error = Assert.Throws<OnnxFormatException>(() => PassPipeline.Run(model, []));

        Assert.Equal(code, error.Code);
        Assert.Contains(hostile, error.Message);
    }

    [Fact]
    public void Concatenating_empty_constants_with_a_huge_outer_dim_folds_without_walking_it()
    {
        var graph = Graph("x", [1], "y");
        graph.Initializers.Add(OnnxTensor.FromFloats("a", [int.MaxValue, 0], []));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [int.MaxValue, 0], []));
        graph.Nodes.Add(Node("Concat", ["a", "b"], ["h"], OnnxAttribute.FromInt("axis", 1)));
        graph.Nodes.Add(Node("Shape", ["h"], ["s"]));
        graph.Nodes.Add(Node("Cast", ["s"], ["sf"], OnnxAttribute.FromInt("to", (long)TensorElementType.Float)));
        graph.Nodes.Add(Node("ReduceSum", ["sf"], ["r"]));
        graph.Nodes.Add(Node("Add", ["x", "r"], ["y"]));
        var stopwatch = Stopwatch.StartNew();

        var result = PassPipeline.Run(Model(graph), []);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"folding an empty Concat took {stopwatch.Elapsed}: it walked the outer dim");
        Assert.DoesNotContain(result.Model.Graph.Nodes, n => n.OpType == "Concat");
    }

    private static (OnnxModel Model, string Hostile) Build(string name)
    {
        var graph = Graph("x", [1], "y");
        var reads = "h";
        OnnxNode hostile;
        switch (name)
        {
            case "ConstantOfShape 2^40 elements":
                graph.Initializers.Add(OnnxTensor.FromInt64s("shape", [2], [1L << 20, 1L << 20]));
                hostile = Node("ConstantOfShape", ["shape"], ["h"]);
                break;
            case "ConstantOfShape whose element count wraps a long to 0":
                graph.Initializers.Add(OnnxTensor.FromInt64s("shape", [2], [TwoTo32, TwoTo32]));
                hostile = Node("ConstantOfShape", ["shape"], ["h"]);
                break;
            case "ConstantOfShape with a negative dim":
                graph.Initializers.Add(OnnxTensor.FromInt64s("shape", [2], [-1, 5]));
                hostile = Node("ConstantOfShape", ["shape"], ["h"]);
                break;
            case "Range to +infinity":
                graph.Initializers.Add(OnnxTensor.FromFloats("start", [], [0f]));
                graph.Initializers.Add(OnnxTensor.FromFloats("limit", [], [float.PositiveInfinity]));
                graph.Initializers.Add(OnnxTensor.FromFloats("delta", [], [1f]));
                hostile = Node("Range", ["start", "limit", "delta"], ["h"]);
                break;
            case "Range with a NaN delta":
                graph.Initializers.Add(OnnxTensor.FromFloats("start", [], [0f]));
                graph.Initializers.Add(OnnxTensor.FromFloats("limit", [], [10f]));
                graph.Initializers.Add(OnnxTensor.FromFloats("delta", [], [float.NaN]));
                hostile = Node("Range", ["start", "limit", "delta"], ["h"]);
                break;
            case "Add whose broadcast is 4M elements":
                graph.Initializers.Add(OnnxTensor.FromFloats("column", [2000, 1], new float[2000]));
                graph.Initializers.Add(OnnxTensor.FromFloats("row", [1, 2000], new float[2000]));
                hostile = Node("Add", ["column", "row"], ["h"]);
                break;
            case "Gather whose result is 2M elements":
                graph.Initializers.Add(OnnxTensor.FromFloats("table", [4, 1000], new float[4000]));
                graph.Initializers.Add(OnnxTensor.FromInt64s("indices", [2000], new long[2000]));
                hostile = Node("Gather", ["table", "indices"], ["h"]);
                break;
            case "Reshape of an empty tensor to dims that wrap a long to 0":
                graph.Initializers.Add(OnnxTensor.FromFloats("empty", [0], []));
                graph.Initializers.Add(OnnxTensor.FromInt64s("target", [2], [TwoTo32, TwoTo32]));
                hostile = Node("Reshape", ["empty", "target"], ["h"]);
                break;
            case "Div of int64 min by -1":
                graph.Initializers.Add(OnnxTensor.FromInt64s("min", [1], [long.MinValue]));
                graph.Initializers.Add(OnnxTensor.FromInt64s("minus1", [1], [-1]));
                hostile = Node("Div", ["min", "minus1"], ["h"]);
                break;
            default:
                throw new ArgumentException(name);
        }

        graph.Nodes.Add(hostile);
        // Something must read the value (an unread node is dead code) without folding it away or being a graph output.
        graph.Nodes.Add(Node("Size", [reads], ["n"]));
        graph.Nodes.Add(Node("Cast", ["n"], ["nf"], OnnxAttribute.FromInt("to", (long)TensorElementType.Float)));
        graph.Nodes.Add(Node("Add", ["x", "nf"], ["y"]));
        return (Model(graph), hostile.Name);
    }
}
