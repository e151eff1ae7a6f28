using Optimizer.Engine.Reports;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.Reports;

/// <summary>The speed-up gate's figures in the report: labelled series, p50/p90/p99 bars, the decision in HTML and Markdown.</summary>
public sealed class LatencyReportTests
{
    private static readonly LatencyFigures Gate = new(0.010, 0.021, "batch 1, 1 intra-op thread", "fp32", "StaticInt8",
        BeforeP90Ms: 0.012, AfterP90Ms: 0.025, BeforeP99Ms: 0.030, AfterP99Ms: 0.060,
        Decision: "kept fp32: StaticInt8 is not faster (2.10× the fp32 latency; RequireSpeedup asks for at most 0.95×)");

    [ConditionalFact("data")]
    public void Html_draws_p50_p90_p99_bars_for_both_models_and_states_the_decision()
    {
        var built = DigitsReport.Get();

        var html = HtmlReportWriter.Write(built.Report with { Latency = Gate });

        var bars = ModelReportTests.Charts(html)["latency"];
        Assert.Equal(6, bars.Count);
        Assert.Equal(0.021 / 0.010, bars[1] / bars[0], 2);   // p50: after / before
        Assert.Equal(bars.Max(), bars[5]);                    // p99 of StaticInt8 fills the plot
        Assert.Contains("<text class=\"legend-text\" x=\"", html);
        Assert.Contains(">fp32</text>", html);
        Assert.Contains(">StaticInt8</text>", html);
        Assert.Contains("Latency p50 (fp32 → StaticInt8)", html);
        Assert.Contains("2.10× (+110.0%) · kept fp32", html);
        Assert.Contains("<strong>kept fp32: StaticInt8 is not faster", html);
    }

    [ConditionalFact("data")]
    public void Markdown_has_the_percentile_rows_and_the_decision()
    {
        var built = DigitsReport.Get();

        var md = MarkdownReportWriter.Write(built.Report with { Latency = Gate });

        Assert.Contains("| latency p50 (fp32 → StaticInt8) | 0.010 ms | 0.021 ms | 2.10× (+110.0%) |", md);
        Assert.Contains("| latency p90 | 0.012 ms | 0.025 ms | |", md);
        Assert.Contains("| latency p99 | 0.030 ms | 0.060 ms | |", md);
        Assert.Contains("**Speed-up gate: kept fp32: StaticInt8 is not faster", md);
    }
}
