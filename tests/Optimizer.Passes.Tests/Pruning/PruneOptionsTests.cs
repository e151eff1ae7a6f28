using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

public sealed class PruneOptionsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("-0.2")]
    [InlineData("NaN")]
    [InlineData("half")]
    [InlineData("0,5")]
    public void Sparsity_outside_zero_to_one_is_OPT1230(string value)
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 4), [Prune(("Sparsity", value))]));
        Assert.Equal(PassErrorCodes.PruneSparsityOutOfRange, error.Code);
        Assert.Equal("Prune", error.Pass);
        Assert.Contains("between 0 and 1", error.Message);
    }

    [Theory]
    [InlineData("Structure", "Blocks", "OPT1231")]
    [InlineData("Structure", "1", "OPT1231")]
    [InlineData("Scope", "Model", "OPT1232")]
    [InlineData("Norm", "L3", "OPT1233")]
    [InlineData("Exclude", "fc1;OpType:", "OPT1234")]
    [InlineData("Ranking", "Random", "OPT1235")]
    [InlineData("Amount", "0.5", "OPT1203")]
    public void Bad_options_have_their_own_codes(string name, string value, string code)
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 4), [Prune((name, value))]));
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Unknown_enum_value_lists_the_valid_names()
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 4), [Prune(("Structure", "Blocks"))]));
        Assert.Contains("Unstructured, Channel, NM2x4", error.Message);
    }

    [Theory]
    [InlineData("unstructured", "global", "l1", "Unstructured global")]
    [InlineData("CHANNEL", "Layer", "L2", "Channel L2")]
    [InlineData("nm2x4", "layer", "L1", "2:4 sparsity")]
    public void Names_are_case_insensitive(string structure, string scope, string norm, string summaryStart)
    {
        var result = PassPipeline.Run(GraphBuilder.MatMul(8, 4),
            [new PassRequest("prune", new Dictionary<string, string> { ["sparsity"] = "0.5", ["structure"] = structure, ["scope"] = scope, ["norm"] = norm })]);
        Assert.StartsWith(summaryStart, result.Reports[0].Summary);
    }

    [Fact]
    public void Defaults_are_half_unstructured_global_by_lamp_score()
    {
        var result = PassPipeline.Run(GraphBuilder.MatMul(4, 4), [Prune()]);
        Assert.StartsWith("Unstructured global (Lamp ranking) L1 50%", result.Reports[0].Summary);
        Assert.Equal(8, result.Model.Graph.FindInitializer("W")!.ToFloatArray().Count(w => w == 0));
    }

    [Fact]
    public void Prune_runs_before_quantization_whatever_the_declaration_order()
    {
        var result = PassPipeline.Run(GraphBuilder.MatMul(8, 4),
            [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" }), Prune(("Sparsity", "0.5"))]);
        Assert.Equal(["Prune", "Quantize"], result.Reports.Take(2).Select(r => r.Pass));
    }
}
