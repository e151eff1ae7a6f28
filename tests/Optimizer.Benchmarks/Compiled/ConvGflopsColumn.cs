using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// <see cref="ConvKernelBenchmarks"/>' rate: GFLOP/s of the row (its shape's FLOPs / Mean), or on
/// the Conv rows the share of the same shape's GEMM rate and of the peak GEMM's
/// (<see cref="ConvBenchmarkShape.PeakReference"/>) (<paramref name="ofGemm"/>).
/// </summary>
internal sealed class ConvGflopsColumn(bool ofGemm) : IColumn
{
    public string Id => ColumnName;

    public string ColumnName => ofGemm ? "Conv % of GEMM, of peak" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => ofGemm ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => ofGemm ? "the Conv row's GFLOP/s over the same shape's GEMM row's, and over the peak reference's GEMM row's" : "2 · m · k · n / Mean";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var rate = Gflops(summary, benchmarkCase);
        if (!ofGemm)
        {
            return rate is { } r ? r.ToString("F1") : "-";
        }

        return benchmarkCase.Descriptor.WorkloadMethod.Name == "Conv" && rate is { } conv
                && GemmGflops(summary, ShapeName(benchmarkCase)) is { } same && GemmGflops(summary, ConvBenchmarkShape.PeakReference) is { } peak
            ? $"{100 * conv / same:F0} %, {100 * conv / peak:F0} %"
            : "-";
    }

    private static double? GemmGflops(Summary summary, string shape) =>
        summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == "Gemm" && ShapeName(c) == shape) is { } gemm ? Gflops(summary, gemm) : null;

    private static string ShapeName(BenchmarkCase benchmarkCase) => (string)benchmarkCase.Parameters["Shape"];

    private static double? Gflops(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics?.Mean is { } nanoseconds
            ? ConvBenchmarkShape.All[ShapeName(benchmarkCase)].Flops / nanoseconds
            : null;
}
