using Optimizer.Engine.Reports;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Reports;

/// <summary>digits_mlp quantized DynamicInt8: layers rewritten to per-row MatMulIntegerToFloat are still found and counted.</summary>
public sealed class DynamicInt8ReportTests(ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void Dynamic_int8_layers_are_reported_as_MatMulIntegerToFloat_on_int8_weights()
    {
        var models = RepositoryPaths.SharedModels;

        var path = Path.Combine(models, "digits_mlp.onnx");
        var original = OnnxModelLoader.Load(path);
        var plan = new List<ReportPlanEntry> { new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" }) };
        var result = PassPipeline.Run(original, plan.Select(p => new PassRequest(p.Pass, p.Options)).ToList());
        var report = ModelReportBuilder.From("digits_mlp", "Models/digits_mlp.onnx", plan, original, File.ReadAllBytes(path), result, OnnxModelWriter.ToBytes(result.Model));
        output.WriteLine(MarkdownReportWriter.Write(report));

        var changed = result.Reports.Single(r => r.Pass == "Quantize").Changed.Select(c => c.Node).ToHashSet();
        Assert.NotEmpty(changed);
        Assert.NotEmpty(report.Layers);
        foreach (var row in report.Layers)
        {
            Assert.Equal(changed.Contains(row.Name), row.Quantized);
            if (row.Quantized)
            {
                Assert.Equal("MatMulIntegerToFloat", row.OptimizedOp);
                Assert.Contains(row.WeightType, new[] { "Int8", "UInt8" });
                Assert.Equal(row.FlopsBefore, row.FlopsAfter);
                Assert.Equal(row.ParamsBefore, row.ParamsAfter); // weight + the bias the rewrite adds after rescaling
                Assert.True(row.SparsityAfter < 0.2, $"{row.Name}: {row.SparsityAfter}");
                Assert.Contains("Quantize: ", row.Note);
            }
        }

        Assert.True(report.SizeAfter < report.SizeBefore / 3);
        Assert.Equal(report.Before.Flops, report.After.Flops);
        Assert.Equal(report.Before.Parameters, report.After.Parameters); // scales and zero points are not parameters
        Assert.Contains(report.After.OpCounts, p => p.Key == "MatMulIntegerToFloat");
        Assert.Contains("data-chart=\"layer-sparsity\"", HtmlReportWriter.Write(report));
    }
}
