using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>Nothing silent: a declared pass that did nothing or less than declared says so, with its reasons, at its declaration.</summary>
public sealed class PassShortfallTests(ITestOutputHelper output)
{
    private static readonly DiagnosticLocation PruneLine = new("/p/Program.cs", 12, 2);

    private static OptimizationPlan Plan(params PlannedPass[] passes) =>
        new(OptimizationPlan.CurrentFormatVersion, "M", "M", "/p/m.onnx", "Models/m.onnx", new DiagnosticLocation("/p/Program.cs", 10, 2), "/p/obj", "/p", "M.onnx", passes);

    [ConditionalFact("data")]
    public void Channel_pruning_of_a_model_where_no_layer_can_be_pruned_warns_with_its_reasons_at_the_declaration()
    {
        // Silero VAD's layers sit inside If branches, which this version does not prune. (This was arctic_embed_xs
        // until channel pruning learned encoders: ArcticEncoderPruningTests.)
        var model = OnnxModelLoader.Load(Path.Combine(SharedData.Folder, "models", "silero_vad_legacy.onnx"));
        var options = new Dictionary<string, string> { ["Structure"] = "Channel", ["Sparsity"] = "0.5" };

        var result = PassPipeline.Run(model, [new PassRequest("Prune", options)]);

        var prune = result.Reports.Single(r => r.Pass == "Prune");
        output.WriteLine(prune.Summary);
        var shortfall = Assert.IsType<PassShortfall>(prune.Shortfall);
        output.WriteLine(shortfall.ToString());
        Assert.StartsWith("pruned 0 of ", shortfall.Outcome);
        Assert.NotEmpty(shortfall.Reasons);
        Assert.Contains(" 0 of ", prune.Summary);

        var warnings = PassShortfalls.Warnings(Plan(new PlannedPass("Prune", options, PruneLine)), result);

        var warning = Assert.Single(warnings);
        output.WriteLine(warning);
        Assert.StartsWith("/p/Program.cs(12,2): warning OPT1205: Models/m.onnx: Prune pruned 0 of ", warning);
        Assert.Contains(shortfall.Reasons[0], warning);
    }

    [ConditionalFact("data")]
    public void Channel_pruning_that_prunes_every_layer_it_can_is_not_a_shortfall()
    {
        var model = OnnxModelLoader.Load(Path.Combine(SharedData.Folder, "models", "digits_cnn.onnx"));
        var options = new Dictionary<string, string> { ["Structure"] = "Channel", ["Sparsity"] = "0.5" };

        var result = PassPipeline.Run(model, [new PassRequest("Prune", options)]);

        output.WriteLine(result.Reports[0].Summary);
        Assert.All(result.Reports, r => Assert.Null(r.Shortfall));
        Assert.Empty(PassShortfalls.Warnings(Plan(new PlannedPass("Prune", options, PruneLine)), result));
    }

    [Fact]
    public void A_quantization_that_quantized_nothing_is_a_shortfall_with_the_reason()
    {
        var graph = new OnnxGraph("matmul_of_two_inputs");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(4)));
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("w", Dim.Fixed(4), Dim.Fixed(2)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(2)));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "w"], ["y"], "matmul"));
        var model = new OnnxModel(graph, [new OpsetImport("", 13)]); // the weight is a graph input: nothing to quantize ahead of time
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" });

        var result = PassPipeline.Run(model, [request]);

        var shortfall = Assert.IsType<PassShortfall>(result.Reports.Single(r => r.Pass == "Quantize").Shortfall);
        output.WriteLine(shortfall.ToString());
        Assert.StartsWith("DynamicInt8 quantized 0 of 1 MatMul/Gemm", shortfall.Outcome);
        Assert.Single(shortfall.Reasons);
    }

    [Fact]
    public void Reasons_are_grouped_without_the_names_they_quote_most_frequent_first()
    {
        var shortfall = PassShortfall.FromSkips("pruned 0 of 3 layers",
        [
            new PassSkip("a", "its channels reach 'x/Shape', read by Shape"),
            new PassSkip("b", "weight 'w' is not a constant initializer"),
            new PassSkip("c", "its channels reach 'y/Shape', read by Shape"),
        ]);

        Assert.Equal(["its channels reach '…', read by Shape ×2", "weight '…' is not a constant initializer"], shortfall.Reasons);
        Assert.Equal("pruned 0 of 3 layers: its channels reach '…', read by Shape ×2; weight '…' is not a constant initializer", shortfall.ToString());
    }
}
