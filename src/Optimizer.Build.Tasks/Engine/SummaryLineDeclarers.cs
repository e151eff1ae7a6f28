using System.Text.RegularExpressions;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>
/// Names who declared a model in the engine's one line per model (Optimizer.Engine's
/// SummaryLine.Format: the model's file name, the passes, the sizes before and after, then the
/// figures and the time), right after the size change:
/// <c>digits.onnx: quantize DynamicInt8 → 102.8 KB → 30.4 KB (-70%) for App.Digits, agreement …, 1.6 s</c>.
/// The line keeps its start (the file name and passes) and its end (the time), which readers of
/// build logs match. Every other line, e.g. a training pass's epoch lines, is returned as it is.
/// </summary>
internal static class SummaryLineDeclarers
{
    private static readonly Regex SizeChange = new(@" → [0-9.]+ (B|KB|MB) → [0-9.]+ (B|KB|MB) \([+-]?[0-9]+%\)", RegexOptions.CultureInvariant);

    /// <param name="declarers">The classes (or the item) that declared the model, <see cref="SharedPlan.Declarers"/>.</param>
    public static string Insert(OptimizationPlan plan, string line, string declarers)
    {
        if (!line.StartsWith(Path.GetFileName(plan.ModelPath) + ": ", StringComparison.Ordinal))
            return line;
        var sizes = SizeChange.Match(line);
        return sizes.Success ? line.Insert(sizes.Index + sizes.Length, " for " + declarers) : line;
    }
}
