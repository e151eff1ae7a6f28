using System.Globalization;

namespace Optimizer.Engine.Benchmarking;

/// <summary>What timing one model gave: per-run latency percentiles, throughput and peak memory.</summary>
/// <param name="Label">What was timed, e.g. <c>fp32</c> or a file name.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="P50Ms">Median latency of one run, milliseconds.</param>
/// <param name="P90Ms">90th percentile, milliseconds.</param>
/// <param name="P99Ms">99th percentile, milliseconds.</param>
/// <param name="MeanMs">Mean, milliseconds.</param>
/// <param name="MinMs">Fastest run, milliseconds.</param>
/// <param name="Batch">Samples per run.</param>
/// <param name="PeakMemoryBytes">
/// How far the process's peak resident memory rose while the session was created and warmed up
/// (Linux: VmHWM after resetting it, minus VmRSS before); null where the OS does not tell.
/// </param>
public sealed record LatencyStatistics(
    string Label,
    int Runs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MeanMs,
    double MinMs,
    int Batch,
    long? PeakMemoryBytes)
{
    /// <summary>Samples per second at the mean latency (batch / mean).</summary>
    public double ThroughputPerSecond => MeanMs <= 0 ? 0 : Batch * 1000.0 / MeanMs;

    /// <summary>From per-run times in milliseconds (any order).</summary>
    public static LatencyStatistics From(string label, IReadOnlyCollection<double> runsMs, int batch, long? peakMemoryBytes)
    {
        if (runsMs.Count == 0)
            throw new ArgumentException("At least one run is needed.", nameof(runsMs));
        var sorted = runsMs.Order().ToArray();
        return new LatencyStatistics(label, sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99),
            sorted.Average(), sorted[0], batch, peakMemoryBytes);
    }

    /// <summary>Linear interpolation between the closest ranks (numpy's default), on sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 1)
            return sorted[0];
        var position = quantile * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>e.g. <c>fp32: p50 0.009 ms, p90 0.011 ms, p99 0.020 ms, 105,263 samples/s, peak +1.2 MB (48,112 runs)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Label}: p50 {FormatMs(P50Ms)}, p90 {FormatMs(P90Ms)}, p99 {FormatMs(P99Ms)}, {ThroughputPerSecond:#,0} samples/s{(PeakMemoryBytes is { } m ? ", peak +" + FormatBytes(m) : "")} ({Runs:#,0} runs)");

    /// <summary>Milliseconds with three decimals below 10 ms, one above.</summary>
    public static string FormatMs(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Bytes in B/KB/MB/GB (binary multiples).</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
