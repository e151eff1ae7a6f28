using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Quantization;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Checker;

/// <summary>
/// Every optimized model must pass <c>onnx.checker</c> where its opset allows: each pass
/// configuration over the real models of ../shared/data/models and the conformance suite's
/// light/, pytorch-converted/ and simple/ folders. A model whose original already fails the
/// checker, or whose opset or IR version is newer than the installed checker knows, is counted
/// and left out, never silently.
/// </summary>
public sealed class OptimizedModelsPassOnnxCheckerTests(ITestOutputHelper output)
{
    private static readonly (string Name, PassRequest[] Requests)[] GeneralConfigurations =
    [
        ("default", []),
        ("dynamic-int8", [Quantize("DynamicInt8")]),
    ];

    private static readonly (string Name, PassRequest[] Requests)[] DigitsConfigurations =
    [
        ("static-int8", [DigitsData.StaticInt8()]),
        ("prune-global", [Prune(("Sparsity", "0.5"))]),
        ("prune-channel", [Prune(("Sparsity", "0.5"), ("Structure", "Channel"))]),
        ("prune-2of4", [Prune(("Structure", "NM2x4"))]),
        ("prune-int8", [Prune(("Sparsity", "0.5")), DigitsData.StaticInt8()]),
        ("float16", [Quantize("Float16")]),
        ("int4", [Quantize("Int4")]),
    ];

    [ConditionalFact(Needs.PythonOnnx, "data")]
    public void Optimized_models_pass_onnx_checker()
    {
        var data = SharedData.Folder;
        var originals = OriginalModels(data).ToList();
        var originalRun = OnnxChecker.Check(originals);
        var validOriginals = originals.Where(path => !originalRun.Failures.Any(f => f.Contains(path, StringComparison.Ordinal))).ToList();
        output.WriteLine($"onnx {originalRun.OnnxVersion} (opset ≤ {originalRun.MaxOpset}, IR ≤ {originalRun.MaxIrVersion}); " +
                         $"{originals.Count} originals, {originalRun.Failures.Count} already fail the checker and are left out");
        foreach (var failure in originalRun.Failures) output.WriteLine("  original " + failure);

        using var folder = new TemporaryFolder();
        var written = new List<string>();
        var tooNew = 0;
        foreach (var original in validOriginals)
        {
            var model = OnnxModelLoader.Load(original);
            var isDigits = Path.GetFileName(original).StartsWith("digits_", StringComparison.Ordinal) && !original.Contains("int8");
            foreach (var (name, requests) in isDigits ? GeneralConfigurations.Concat(DigitsConfigurations) : GeneralConfigurations)
            {
                var optimized = PassPipeline.Run(model, requests, DigitsData.Context(data)).Model;
                if (optimized.GetOpsetVersion("") > originalRun.MaxOpset || optimized.IrVersion > originalRun.MaxIrVersion)
                {
                    tooNew++;
                    continue;
                }
                var path = Path.Combine(folder.Path, $"{written.Count:D3}-{Describe(original)}-{name}.onnx");
                OnnxModelWriter.Save(optimized, path);
                written.Add(path);
            }
        }

        var run = OnnxChecker.Check(written);
        output.WriteLine($"{written.Count} optimized models checked: {run.Passed} pass, {run.Failures.Count} fail; " +
                         $"{tooNew} left out (opset or IR newer than the checker)");
        foreach (var failure in run.Failures) output.WriteLine("  " + failure);

        Assert.True(written.Count >= 50, $"only {written.Count} optimized models were checked");
        Assert.Empty(run.Failures);
        Assert.Equal(written.Count, run.Passed);
    }

    private static IEnumerable<string> OriginalModels(string data)
    {
        foreach (var model in Directory.GetFiles(Path.Combine(data, "models"), "*.onnx").Order(StringComparer.Ordinal))
            yield return model;
        var conformance = Path.GetFullPath(Path.Combine(data, "..", "onnx-conformance"));
        foreach (var suite in new[] { "light", "pytorch-converted", "simple" })
        {
            var folder = Path.Combine(conformance, suite);
            if (!Directory.Exists(folder)) continue;
            foreach (var model in Directory.GetFiles(folder, "*.onnx", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                yield return model;
        }
    }

    private static string Describe(string path) =>
        Path.GetFileName(path) == "model.onnx" ? Path.GetFileName(Path.GetDirectoryName(path)!) : Path.GetFileNameWithoutExtension(path);

    private static PassRequest Quantize(string mode) =>
        new("Quantize", new Dictionary<string, string> { ["Mode"] = mode });

    private static PassRequest Prune(params (string Key, string Value)[] options) =>
        new("Prune", options.ToDictionary(o => o.Key, o => o.Value));

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("optimizer-checker-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
