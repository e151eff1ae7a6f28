using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>Issue 16's CLI fixes: report keeps optimize's report, inspect counts Constant-node weights, error lines are coded only.</summary>
public sealed class CliFixesTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void Report_refuses_to_overwrite_the_report_optimize_wrote_unless_forced()
    {
        var model = ToolRun.SharedModel("digits_mlp.onnx");
        var optimized = _run.PathOf("mlp.onnx");
        var optimize = ToolRun.Tool("optimize", model, "-o", optimized, "--pass", "Quantize:Mode=DynamicInt8");
        Assert.True(optimize.ExitCode == 0, optimize.ToString());
        var html = _run.PathOf("mlp.report.html");
        Assert.True(File.Exists(html), "optimize writes <name>.report.html beside the model");
        var written = File.ReadAllBytes(html);

        var refused = ToolRun.Tool("report", model, optimized);
        output.WriteLine(refused.ToString());

        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("error OPT", refused.Stderr);
        Assert.Contains("mlp.report.html exists (optimize writes its report there); pass --force", refused.Stderr);
        Assert.Equal(written, File.ReadAllBytes(html));
        Assert.Equal(0, ToolRun.Tool("report", model, optimized, "--name", "mlp-compared").ExitCode);
        Assert.Equal(0, ToolRun.Tool("report", model, optimized, "--force").ExitCode);
    }

    [ConditionalFact("data")]
    public void Inspect_counts_weights_held_in_constant_nodes()
    {
        var original = OnnxModelLoader.Load(ToolRun.SharedModel("digits_mlp.onnx"));
        var expected = original.Graph.Initializers.Sum(t => t.ElementCount);
        var constants = OnnxModelLoader.Load(ToolRun.SharedModel("digits_mlp.onnx"));
        foreach (var tensor in constants.Graph.Initializers)
        {
            var node = new OnnxNode("Constant", [], [tensor.Name], "const_" + tensor.Name);
            node.SetAttribute(OnnxAttribute.FromTensor("value", tensor));
            constants.Graph.Nodes.Insert(0, node);
        }

        constants.Graph.Initializers.Clear();
        var path = _run.PathOf("constants.onnx");
        OnnxModelWriter.Save(constants, path);

        var result = ToolRun.Tool("inspect", path, "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.True(expected > 0);
        Assert.Equal(expected, result.Json().GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void Error_lines_are_coded_without_the_engines_origin()
    {
        var result = ToolRun.Tool("inspect", _run.PathOf("missing.onnx"));

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("Optimizer.Engine:", result.Stderr);
        Assert.Matches(@"^(\S+: )?error OPT\d{4}: ", result.Stderr);
    }
}
