using System.Text;
using System.Text.RegularExpressions;
using Optimizer.Engine.Reports;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Reports;

/// <summary>The report of digits_cnn pruned 50% and quantized StaticInt8: figures, tables, determinism, self-containment.</summary>
public sealed class ModelReportTests(ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void Digits_report_has_the_figures_of_the_models_and_the_passes()
    {
        var built = DigitsReport.Get();

        var report = built.Report;
        output.WriteLine(MarkdownReportWriter.Write(report));

        Assert.Equal("digits_cnn", report.ModelName);
        Assert.Equal(EngineVersion.Current, report.EngineVersion);
        Assert.Matches("^[0-9a-f]{64}$", report.SourceSha256);
        Assert.Matches("^[0-9a-f]{64}$", report.OptimizedSha256);
        Assert.NotEqual(report.SourceSha256, report.OptimizedSha256);
        Assert.True(report.SizeAfter < report.SizeBefore / 2, $"int8 should at least halve the size: {report.SizeBefore} → {report.SizeAfter}");
        Assert.Equal(["Prune", "Quantize"], report.Plan.Select(p => p.Pass));
        Assert.Contains(report.Passes, p => p.Pass == "Prune" && p.Changed > 0);
        Assert.Contains(report.Passes, p => p.Pass == "Quantize" && p.Changed > 0);

        // One row per Conv/Gemm/MatMul of the source model.
        var layers = built.Original.Graph.Nodes.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul").ToList();
        Assert.Equal(layers.Count, report.Layers.Count);
        Assert.True(report.Layers.Count >= 2);
        foreach (var row in report.Layers)
        {
            Assert.True(row.ParamsBefore > 0, row.Name);
            Assert.True(row.FlopsBefore > 0, row.Name);
            Assert.Equal(0.0, row.SparsityBefore!.Value, 2);
            Assert.NotNull(row.OptimizedOp);
            Assert.False(string.IsNullOrEmpty(row.Note), row.Name);
            Assert.Null(row.Error);
        }

        // The Quantize report's changed layers are the rows marked quantized (Int8/UInt8 weights).
        var quantizedByPass = built.Result.Reports.Where(r => r.Pass == "Quantize").SelectMany(r => r.Changed).Select(c => c.Node).ToHashSet();
        var quantizedRows = report.Layers.Where(l => l.Quantized).ToList();
        Assert.NotEmpty(quantizedRows);
        Assert.All(quantizedRows, l => Assert.Contains(l.Name, quantizedByPass));
        Assert.All(quantizedRows, l => Assert.Contains(l.WeightType, new[] { "Int8", "UInt8" }));

        // Unstructured global pruning at 50%: FLOPs and parameter counts stay, half of all weights are zero
        // (spread over the layers by LAMP scores, so each layer has its own share).
        var pruned = built.Result.Reports.Single(r => r.Pass == "Prune").Changed.Select(c => c.Node).ToHashSet();
        var prunedRows = report.Layers.Where(l => pruned.Contains(l.Name)).ToList();
        Assert.NotEmpty(prunedRows);
        Assert.All(prunedRows, l => Assert.InRange(l.SparsityAfter!.Value, 0.05, 0.95));
        Assert.All(report.Layers, l => Assert.Equal(l.FlopsBefore, l.FlopsAfter));
        Assert.InRange(report.After.WeightSparsity!.Value, 0.45, 0.55);
        Assert.Equal(report.Before.Parameters, report.After.Parameters);
        Assert.All(report.Layers, l => Assert.Equal(l.ParamsBefore, l.ParamsAfter));
        Assert.Equal(report.Before.Flops, report.After.Flops);
        Assert.True(report.Before.Flops > 0);
        Assert.Contains(report.After.OpCounts, p => p.Key == "DequantizeLinear");
    }

    [ConditionalFact("data")]
    public void Markdown_shows_the_plan_the_layer_table_and_the_hashes()
    {
        var built = DigitsReport.Get();

        var report = DigitsReport.WithVerification(built.Report);
        var md = MarkdownReportWriter.Write(report);
        output.WriteLine(md);

        Assert.StartsWith("# digits\\_cnn — optimization report\n", md);
        Assert.Contains("1. **Prune** — Sparsity=0.5", md);
        Assert.Contains("2. **Quantize** — Calibration=Data/digits\\_train.f32, Mode=StaticInt8", md);
        Assert.Contains("| layer | op | params before | params after | FLOPs | sparsity before | sparsity after | quantized | max abs error | notes |", md);
        foreach (var row in report.Layers)
            Assert.Contains($"| {MarkdownReportWriter.Escape(row.Name)} | ", md);
        Assert.Contains("yes (Int8)", md);
        Assert.Contains($"- source SHA-256: `{report.SourceSha256}`", md);
        Assert.Contains($"- optimized SHA-256: `{report.OptimizedSha256}`", md);
        Assert.Contains($"- engine: Optimizer.Build {report.EngineVersion}", md);
        Assert.Contains("| top-1 accuracy | 97.11% | 96.89% | -0.2% |", md);
        Assert.Contains("| logits | 0.0412 | 0.999870 | 31.4 |", md);
        Assert.DoesNotContain("\r", md);
    }

    [ConditionalFact("data")]
    public void Html_is_self_contained_and_has_every_chart_with_bars()
    {
        var built = DigitsReport.Get();

        var plain = HtmlReportWriter.Write(built.Report);
        var full = HtmlReportWriter.Write(DigitsReport.WithVerification(built.Report));

        foreach (var html in new[] { plain, full })
        {
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("default-src 'none'", html);
            Assert.Contains(built.Report.SourceSha256, html);
            Assert.Contains(built.Report.OptimizedSha256, html);
            Assert.Contains("Optimizer.Build " + built.Report.EngineVersion, html);
            foreach (var row in built.Report.Layers)
                Assert.Contains($"<code>{row.Name}</code>", html);
        }

        Assert.Equal(["size", "layer-sparsity", "layer-params"], Charts(plain).Keys);
        Assert.Equal(["size", "latency", "accuracy", "layer-sparsity", "layer-params", "layer-error"], Charts(full).Keys);
        foreach (var (chart, bars) in Charts(full))
        {
            Assert.True(bars.Count > 0, chart);
            Assert.Contains(bars, width => width > 0);
        }

        // Size bars are proportional: the larger fills the plot, the other is smaller by the size ratio.
        var size = Charts(full)["size"];
        Assert.Equal(2, size.Count);
        Assert.Equal((double)built.Report.SizeAfter / built.Report.SizeBefore, size[1] / size[0], 2);
        // Sparsity: one pair of bars per layer (before is 0 wide: nothing was zero).
        Assert.Equal(2 * built.Report.Layers.Count, Charts(full)["layer-sparsity"].Count);
        Assert.Equal(built.Report.Layers.Count, Charts(full)["layer-error"].Count);
    }

    [ConditionalFact("data")]
    public void Same_input_gives_the_same_bytes_and_an_independent_run_gives_the_same_report()
    {
        var built = DigitsReport.Get();

        var report = DigitsReport.WithVerification(built.Report);
        Assert.Equal(HtmlReportWriter.ToBytes(report), HtmlReportWriter.ToBytes(report));
        Assert.Equal(MarkdownReportWriter.ToBytes(report), MarkdownReportWriter.ToBytes(report));

        var again = DigitsReport.Build().Report;
        Assert.Equal(HtmlReportWriter.ToBytes(built.Report), HtmlReportWriter.ToBytes(again));
        Assert.Equal(MarkdownReportWriter.ToBytes(built.Report), MarkdownReportWriter.ToBytes(again));

        var files = report.ToFiles();
        Assert.Equal(["digits_cnn.report.html", "digits_cnn.report.md"], files.Select(f => f.FileName));
        Assert.Equal(Encoding.UTF8.GetString(files[0].Bytes), HtmlReportWriter.Write(report));
    }

    [ConditionalFact("data")]
    public void Rendering_does_not_depend_on_the_current_culture()
    {
        var built = DigitsReport.Get();

        var report = DigitsReport.WithVerification(built.Report) with { Elapsed = TimeSpan.FromSeconds(1.25) };
        var invariant = HtmlReportWriter.Write(report) + MarkdownReportWriter.Write(report);
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(invariant, HtmlReportWriter.Write(report) + MarkdownReportWriter.Write(report));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Text_from_the_model_is_escaped()
    {
        var report = new ModelReport("m<1>", "Models/a|b.onnx", "0.1.0", new string('a', 64), new string('b', 64), 2048, 1024, null,
            [new ReportPlanEntry("Prune", new Dictionary<string, string> { ["Exclude"] = "<script>|x" })],
            [new ReportPassSummary("Prune", "1 of 1 <b>", 1, 0)],
            new ModelTotals(1, 10, 20, 0, [new("Conv", 1)]), new ModelTotals(1, 10, 20, 0.5, [new("Conv", 1)]),
            [new LayerRow("conv|<img src=x>", "Conv", "Conv", 10, 10, 20, 20, 0, 0.5, false, "Float", "Prune: \"half\"", double.PositiveInfinity)])
        {
            Fidelity = new FidelityFigures(null, null, null, 1, null, [new OutputComparison("y", 0, 1, double.PositiveInfinity)]),
        };

        var html = HtmlReportWriter.Write(report);
        var md = MarkdownReportWriter.Write(report);

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("NaN", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("conv|&lt;img src=x&gt;", html);
        Assert.Contains("| conv\\|\\<img src=x\\> | Conv |", md);
        Assert.Equal(["size", "layer-sparsity", "layer-params", "layer-error"], Charts(html).Keys);
        Assert.Contains("| y | 0 | 1.000000 | ∞ |", md); // identical outputs: infinite SQNR, not "Infinity" or NaN
    }

    /// <summary>Each chart's id and the widths of its bars, in page order.</summary>
    internal static Dictionary<string, List<double>> Charts(string html)
    {
        var charts = new Dictionary<string, List<double>>();
        foreach (Match svg in Regex.Matches(html, "<svg [^>]*data-chart=\"([^\"]+)\"[^>]*>(.*?)</svg>", RegexOptions.Singleline))
        {
            charts[svg.Groups[1].Value] = Regex.Matches(svg.Groups[2].Value, "<rect class=\"bar [^\"]*\"[^>]* width=\"([0-9.]+)\"")
                .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        }

        return charts;
    }
}
