using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Engine.Commands;

/// <summary>
/// The one line a build prints per optimized model, e.g.
/// <c>digits_mlp.onnx: quantize DynamicInt8 → 105.1 KB → 27.0 KB (-74%), 0.4 s</c>, with the
/// verification figures before the time when they were measured, e.g.
/// <c>top-1 97.1% → 96.9% (budget 1.0%), agreement 99.1%, logits SQNR 28.3 dB cos 0.9993 max|Δ| 0.41 on 450 validation samples</c>,
/// and the speed-up gate's figures when RequireSpeedup timed the models, e.g.
/// <c>StaticInt8 2.10× fp32 latency (p50 0.019 ms vs 0.009 ms), kept fp32</c>, and last the files
/// read from outside the project folder by their resolved full paths, e.g.
/// <c>(outside the project folder: model '/models/shared/digits_mlp.onnx')</c>.
/// </summary>
public static class SummaryLine
{
    /// <param name="elapsed">Time spent, printed last; null leaves it out (the CLI's JSON).</param>
    public static string Format(OptimizationPlan plan, long sizeBefore, long sizeAfter, TimeSpan? elapsed, string? fidelity = null, string? speed = null)
    {
        // The budget shows with the accuracy figures it is checked against.
        var declared = fidelity is null ? plan.Passes : plan.Passes.Where(p => p.Pass != PassSchema.AccuracyBudget.Name).ToList();
        var passes = declared.Count == 0 ? "no passes" : string.Join(" + ", declared.Select(Describe));
        var change = sizeBefore == 0 ? 0 : (sizeAfter - sizeBefore) * 100.0 / sizeBefore;
        // Output and input names, data sources and paths come from the model and the data files: one line, always.
        return CanonicalError.OneLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(plan.ModelPath)}: {passes} → {Size(sizeBefore)} → {Size(sizeAfter)} ({change:+0;-0;0}%){(fidelity is null ? "" : ", " + fidelity)}{(speed is null ? "" : ", " + speed)}{(elapsed is { } time ? ", " + time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "")}{Outside(plan)}"));
    }

    /// <summary>Files read from outside the project folder, by resolved full path (<see cref="OutsideProject"/>).</summary>
    private static string Outside(OptimizationPlan plan) =>
        OutsideProject.Describe(plan) is { Count: > 0 } files ? $" (outside the project folder: {string.Join(", ", files)})" : "";

    private static string Describe(PlannedPass pass)
    {
        var options = pass.Options;
        if (pass.Pass == PassSchema.Quantize.Name && options.TryGetValue(nameof(QuantizeAttribute.Mode), out var mode))
            return "quantize " + mode;
        if (pass.Pass == PassSchema.Prune.Name)
        {
            return "prune " + string.Join(" ", new[]
            {
                options.TryGetValue(nameof(PruneAttribute.Structure), out var structure) && structure != nameof(PruneStructure.Unstructured) ? structure.ToLowerInvariant() : null,
                options.TryGetValue(nameof(PruneAttribute.Sparsity), out var sparsity) ? Percent(sparsity) : null,
            }.Where(part => part is not null));
        }

        if (pass.Pass == PassSchema.AccuracyBudget.Name && options.TryGetValue(nameof(AccuracyBudgetAttribute.MaxDrop), out var drop))
            return "budget " + Percent(drop);
        return pass.Pass.ToLowerInvariant();
    }

    private static string Percent(string fraction) =>
        double.TryParse(fraction, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%"
            : fraction;

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
