using System.Globalization;

namespace Optimizer.Engine.Reports;

/// <summary>Number and text formatting shared by the writers: invariant culture, fixed precision.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.0", Invariant) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.0", Invariant) + " KB",
        _ => bytes.ToString(Invariant) + " B",
    };

    public static string Count(long value) => value.ToString("#,0", Invariant);

    public static string Count(long? value) => value is { } v ? Count(v) : "–";

    /// <summary>A large count in K/M/G, e.g. <c>1.2 M</c>.</summary>
    public static string Short(long? value) => value switch
    {
        null => "–",
        >= 1_000_000_000 => (value.Value / 1e9).ToString("0.##", Invariant) + " G",
        >= 1_000_000 => (value.Value / 1e6).ToString("0.##", Invariant) + " M",
        >= 10_000 => (value.Value / 1e3).ToString("0.#", Invariant) + " K",
        _ => Count(value.Value),
    };

    public static string Percent(double? fraction, string format = "0.0") =>
        fraction is { } f ? (f * 100).ToString(format, Invariant) + "%" : "–";

    public static string SignedPercent(double fraction) => (fraction * 100).ToString("+0.0;-0.0;0.0", Invariant) + "%";

    public static string Number(double? value, string format = "0.####") => value switch
    {
        null or double.NaN => "–",
        double.PositiveInfinity => "∞",
        double.NegativeInfinity => "−∞",
        var v => v.Value.ToString(format, Invariant),
    };

    /// <summary>Scientific-ish for errors: small values keep their significant digits.</summary>
    public static string Error(double? value) => value switch
    {
        null or double.NaN => "–",
        double.PositiveInfinity => "∞",
        0 => "0",
        var v when Math.Abs(v.Value) < 1e-3 => v.Value.ToString("0.00e+0", Invariant),
        var v => v.Value.ToString("0.0000", Invariant),
    };

    public static string Milliseconds(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.0", Invariant) + " ms";

    /// <summary>After / before at the median, e.g. <c>0.38× (−62%)</c>.</summary>
    public static string Ratio(LatencyFigures latency) =>
        latency.BeforeMs > 0 ? latency.Ratio.ToString("0.00", Invariant) + "× (" + SignedPercent(latency.Ratio - 1) + ")" : "–";

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", Invariant) + " s";

    public static string Options(IReadOnlyDictionary<string, string> options) =>
        options.Count == 0 ? "(defaults)" : string.Join(", ", options.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"));

    /// <summary>The one-line headline: passes, size, accuracy.</summary>
    public static string Headline(ModelReport report)
    {
        var passes = report.Plan.Count == 0 ? "no passes" : string.Join(" + ", report.Plan.Select(p => p.Pass));
        var line = $"{passes}: {Size(report.SizeBefore)} → {Size(report.SizeAfter)} ({SignedPercent(report.SizeChange)})";
        if (report.Fidelity is { Top1Before: { } b, Top1After: { } a })
            line += $", top-1 {Percent(b)} → {Percent(a)}";
        if (report.Latency is { } l)
            line += $", latency p50 {Milliseconds(l.BeforeMs)} → {Milliseconds(l.AfterMs)}" + (l.Decision is { } d ? $" ({d})" : "");
        return line;
    }
}
