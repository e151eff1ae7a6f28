using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Cleanup;

/// <summary>One real model to check: where it is and the inputs to feed it (null: synthesize).</summary>
internal sealed record EquivalenceCase(string Name, string ModelPath, string? DataSet);

/// <summary>
/// Runs the default pipeline (clean-up + fusion, nothing requested) over real models and checks in
/// ONNX Runtime that each optimized model loads, runs and gives the original's outputs.
/// </summary>
internal static class EquivalenceSuite
{
    public static IReadOnlyList<EquivalenceCase> CasesIn(string suiteFolder) =>
        Directory.GetDirectories(suiteFolder).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "model.onnx")))
            .Select(d => new EquivalenceCase($"{Path.GetFileName(suiteFolder)}/{Path.GetFileName(d)}", Path.Combine(d, "model.onnx"),
                Directory.GetDirectories(d, "test_data_set_*").Order(StringComparer.Ordinal).FirstOrDefault()))
            .ToArray();

    public static IReadOnlyList<EquivalenceCase> ModelFiles(string folder, string prefix) =>
        Directory.GetFiles(folder, "*.onnx").Order(StringComparer.Ordinal)
            .Select(f => new EquivalenceCase($"{prefix}/{Path.GetFileName(f)}", f, null)).ToArray();

    /// <summary>
    /// Checks every case: the per-model lines, the failures (empty when all pass), and how many
    /// originals were compared and how many were left out because ONNX Runtime cannot load or run them.
    /// </summary>
    public static (List<string> Lines, List<string> Failures, int Compared, int LeftOut) Check(IEnumerable<EquivalenceCase> cases)
    {
        var lines = new List<string>();
        var failures = new List<string>();
        int models = 0, skipped = 0, changed = 0, equal = 0;
        var clock = Stopwatch.StartNew();
        foreach (var c in cases)
        {
            OnnxModel model;
            IReadOnlyList<OnnxTensor> inputs;
            Dictionary<string, (long[], double[])> expected;
            try
            {
                model = OnnxModelLoader.Load(c.ModelPath);
                inputs = c.DataSet is null ? OrtRunner.Synthesize(model) : ReadInputs(c.DataSet);
                expected = OrtRunner.Run(model, inputs);
            }
            catch (Exception e) when (e is OnnxFormatException or OnnxRuntimeException or NotSupportedException)
            {
                skipped++;
                lines.Add($"{c.Name}: left out, the original does not load or run here ({Short(e.Message)})");
                continue;
            }

            models++;
            try
            {
                var result = PassPipeline.Run(model, []);
                var actual = OrtRunner.Run(result.Model, inputs);
                var difference = OrtRunner.Difference(expected, actual);
                var didChange = result.Reports.Any(r => r.Changed.Count > 0);
                changed += didChange ? 1 : 0;
                equal += difference is null ? 1 : 0;
                var summaries = string.Join(" | ", result.Reports.Select(r => $"{r.Pass}: {r.Summary}"));
                lines.Add($"{c.Name}: {model.Graph.Nodes.Count} → {result.Model.Graph.Nodes.Count} nodes, {(difference is null ? "equal" : "DIFFERENT " + difference)}; {summaries}");
                if (difference is not null) failures.Add($"{c.Name}: {difference}");
            }
            catch (Exception e)
            {
                failures.Add($"{c.Name}: {e.GetType().Name}: {e.Message}");
                lines.Add($"{c.Name}: FAILED {e.GetType().Name}: {Short(e.Message)}");
            }
        }

        lines.Add($"TOTAL: {models} models checked ({skipped} left out), {changed} changed, {equal} equal outputs, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s");
        return (lines, failures, models, skipped);
    }

    private static IReadOnlyList<OnnxTensor> ReadInputs(string dataSet) =>
        Directory.GetFiles(dataSet, "input_*.pb").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)["input_".Length..]))
            .Select(f => OnnxTensor.Parse(File.ReadAllBytes(f))).ToArray();

    private static string Short(string message) => message.Length > 160 ? message[..160] + "…" : message;
}
