using Optimizer.Engine.Reports;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.Reports;

/// <summary>What a reader sees at a glance: a slowdown is never green, and no column of dashes for per-layer errors nobody measured.</summary>
public sealed class ReportReadingTests
{
    [ConditionalFact("data")]
    public void A_slowdown_is_red_amber_when_the_gate_decided_and_a_speedup_green()
    {
        var report = DigitsReport.Get().Report;
        var slower = new LatencyFigures(0.010, 0.021, "batch 1", "fp32", "StaticInt8");

        Assert.Contains("<div class=\"card-detail bad\">2.10× (+110.0%)</div>", HtmlReportWriter.Write(report with { Latency = slower }));
        Assert.Contains("<div class=\"card-detail warn\">2.10× (+110.0%) · kept fp32</div>",
            HtmlReportWriter.Write(report with { Latency = slower with { Decision = "kept fp32: StaticInt8 is not faster" } }));
        Assert.Contains("<div class=\"card-detail good\">", HtmlReportWriter.Write(report with { Latency = new LatencyFigures(0.021, 0.010) }));
        Assert.Contains(".warn { color: var(--warn); }", HtmlReportWriter.Write(report));
    }

    [ConditionalFact("data")]
    public void The_layer_error_column_appears_only_when_layer_errors_were_measured()
    {
        var report = DigitsReport.Get().Report;
        var measured = DigitsReport.WithVerification(report);

        Assert.False(report.HasLayerErrors);
        Assert.DoesNotContain("<th class=\"num\">error</th>", HtmlReportWriter.Write(report));
        Assert.Contains("| quantized | notes |", MarkdownReportWriter.Write(report));
        Assert.True(measured.HasLayerErrors);
        Assert.Contains("<th class=\"num\">max abs error</th>", HtmlReportWriter.Write(measured));
        Assert.Contains("| quantized | max abs error | notes |", MarkdownReportWriter.Write(measured));
    }
}
