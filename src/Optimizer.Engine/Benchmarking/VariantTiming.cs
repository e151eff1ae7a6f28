using System.Globalization;
using Optimizer.Engine.Manifests;
using Optimizer.Runtime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// Which compiled variant a build that embeds several records as the faster one on this machine
/// (<see cref="ManifestVariantChoice"/>): the variants' programs are timed in the same interleaved run
/// as ONNX Runtime (<see cref="AutoPathTiming"/>), and a variant before the last (the fallback, fp32)
/// wins only clearly: at most <see cref="FasterRatio"/> of the fallback's median (geometric mean over
/// the shapes) and slower at no shape beyond <see cref="WorstShapeRatio"/>; else the fallback is
/// recorded. A model whose int8 program is not clearly faster (the OCR classifier: its grouped
/// convolutions stay Q/DQ around fp32) keeps fp32 on this machine whatever the kernel table says, and one
/// whose int8 program is (digits_cnn, the wake-word embedding) runs int8 where the table has no row for it.
/// </summary>
internal static class VariantTiming
{
    /// <summary>A variant's median / the fallback's at most this to win (the same margin as the compiled path over ONNX Runtime).</summary>
    public const double FasterRatio = AutoPathTiming.CompiledRatio;

    /// <summary>…and at no single shape above this.</summary>
    public const double WorstShapeRatio = AutoPathTiming.WorstShapeRatio;

    /// <summary>Decides from <paramref name="timing"/>, whose models <paramref name="first"/>… are <paramref name="names"/>' programs in the build's order.</summary>
    public static VariantOutcome Decide(LatencyComparison timing, int first, IReadOnlyList<string> names, string timedAt)
    {
        var fallback = first + names.Count - 1;
        var ratios = names.Select((_, i) => timing.Combined[first + i].P50Ms / timing.Combined[fallback].P50Ms).ToList();
        var winner = names.Count - 1;
        for (var i = 0; i < names.Count - 1; i++)
        {
            var worst = timing.Shapes.Max(s => s.Models[first + i].P50Ms / s.Models[fallback].P50Ms);
            if (ratios[i] <= FasterRatio && worst <= WorstShapeRatio && ratios[i] < ratios[winner])
                winner = i;
        }

        var medians = names.Select((_, i) => timing.Combined[first + i].P50Ms).ToList();
        return new VariantOutcome(names, ratios, medians, winner, new ManifestVariantChoice(names[winner], AutoPathChoice.CurrentMachine, timedAt));
    }
}

/// <summary>The variants' timing against the last one and the recorded winner.</summary>
/// <param name="Ratios">Each variant's median / the last one's (geometric mean over the shapes).</param>
/// <param name="MediansMs">Each variant's combined median.</param>
/// <param name="Winner">The index of <see cref="Choice"/>'s variant in <paramref name="Names"/>.</param>
internal sealed record VariantOutcome(IReadOnlyList<string> Names, IReadOnlyList<double> Ratios, IReadOnlyList<double> MediansMs, int Winner, ManifestVariantChoice Choice)
{
    /// <summary>For the report, e.g. <c>int8 0.72× fp32's latency (p50 0.021 ms vs 0.029 ms): int8 runs on CPUs with these kernel paths</c>.</summary>
    public string Describe()
    {
        var fallback = Names[^1];
        var timed = string.Join(", ", Names.SkipLast(1).Select((name, i) => string.Create(CultureInfo.InvariantCulture,
            $"{name} {Ratios[i]:0.00}× {fallback}'s latency (p50 {LatencyStatistics.FormatMs(MediansMs[i])} vs {LatencyStatistics.FormatMs(MediansMs[^1])})")));
        return Winner == Names.Count - 1
            ? string.Create(CultureInfo.InvariantCulture, $"{timed}: {fallback} runs on CPUs with these kernel paths (another variant wins only at {VariantTiming.FasterRatio:0.00}× or less, slower at no shape)")
            : $"{timed}: {Choice.Variant} runs on CPUs with these kernel paths";
    }
}
