using System.Text;
using System.Text.Json;
using Optimizer.Engine.Output;
using Optimizer.Engine.Plans;

namespace Optimizer.Engine.Tests.Compilation;

/// <summary>
/// A build killed at any instant while replacing its outputs must leave a manifest that names only
/// files that exist: new files first, the manifest after them, stale kernel programs deleted last.
/// Each step is checked as it happens, on real files.
/// </summary>
public sealed class StaleProgramOrderTests : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void At_every_instant_the_manifest_names_only_files_that_exist(bool newBuildCompiles)
    {
        string[] newPrograms = newBuildCompiles ? ["M.kernels"] : [];
        var output = _run.OutputDirectory();
        var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, "M", "", Path.Combine(_run.Directory, "m.onnx"), "m.onnx", null,
            output, _run.Directory, "M.onnx", []);
        // The earlier build: a quantized model with both variants.
        Directory.CreateDirectory(output);
        File.WriteAllBytes(Path.Combine(output, "M.onnx"), [1]);
        File.WriteAllBytes(Path.Combine(output, "M.kernels"), [2]);
        File.WriteAllBytes(Path.Combine(output, "M.fp32.kernels"), [3]);
        File.WriteAllBytes(Path.Combine(output, "M.model.json"), Manifest(["M.kernels", "M.fp32.kernels"]));

        var steps = 0;
        void CheckInstant()
        {
            steps++;
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "M.model.json")));
            foreach (var named in manifest.RootElement.GetProperty("programs").EnumerateArray())
                Assert.True(File.Exists(Path.Combine(output, named.GetString()!)), $"after step {steps} the manifest names {named.GetString()}, which is gone");
        }

        PlanOutputs.Replace(plan, [("M.onnx", [4]), .. newPrograms.Select(p => (p, new byte[] { 5 }))], Manifest(newPrograms), CheckInstant);

        Assert.Equal(1 + newPrograms.Length + 1 + (2 - newPrograms.Length), steps); // moves, manifest, deletions
        Assert.False(File.Exists(Path.Combine(output, "M.fp32.kernels")));
        Assert.Equal(newPrograms.Contains("M.kernels"), File.Exists(Path.Combine(output, "M.kernels")));
        Assert.Equal(Manifest(newPrograms), File.ReadAllBytes(Path.Combine(output, "M.model.json")));
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    private static byte[] Manifest(string[] programs) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { programs }));
}
