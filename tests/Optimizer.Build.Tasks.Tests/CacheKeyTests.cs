using Optimizer.Build.Tasks.Caching;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Tests;

public sealed class CacheKeyTests : IDisposable
{
    private const string Engine = "engine-hash-1";
    private const string Source = """
        using Optimizer.Runtime;
        namespace App;

        [OnnxModel("Models/digits.onnx")]
        [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/calib.npy")]
        public partial class Digits;
        """;

    private readonly TempProject _project = new();

    public CacheKeyTests() => _project.WriteFile("Data/calib.npy", "calibration v1");

    public void Dispose() => _project.Dispose();

    private OptimizationPlan Plan(string source = Source, TempProject? project = null)
    {
        var result = Discover.Sources(project ?? _project, ("Program.cs", source));
        Assert.Empty(result.Diagnostics);
        return Assert.Single(result.Plans);
    }

    [Fact]
    public void Same_inputs_give_the_same_key()
    {
        Assert.Equal(CacheKey.Compute(Plan(), Engine), CacheKey.Compute(Plan(), Engine));
        Assert.Matches("^[0-9a-f]{64}$", CacheKey.Compute(Plan(), Engine));
    }

    [Fact]
    public void Source_edits_that_do_not_change_the_plan_keep_the_key()
    {
        var moved = "// a comment that moves every line down\n\n" + Source.Replace("StaticInt8, Calibration", "StaticInt8,   Calibration") + "\nclass Unrelated { }\n";
        var before = Plan();
        var after = Plan(moved);

        Assert.NotEqual(before.DeclaredAt.Line, after.DeclaredAt.Line);
        Assert.Equal(CacheKey.Compute(before, Engine), CacheKey.Compute(after, Engine));
    }

    [Fact]
    public void Moving_the_project_keeps_the_key()
    {
        using var elsewhere = new TempProject();
        elsewhere.WriteFile("Data/calib.npy", "calibration v1");

        Assert.Equal(CacheKey.Compute(Plan(), Engine), CacheKey.Compute(Plan(project: elsewhere), Engine));
    }

    [Fact]
    public void Model_bytes_change_the_key()
    {
        var before = CacheKey.Compute(Plan(), Engine);
        _project.WriteFile("Models/digits.onnx", "model bytes v2");
        Assert.NotEqual(before, CacheKey.Compute(Plan(), Engine));
    }

    [Fact]
    public void Data_file_bytes_change_the_key()
    {
        var before = CacheKey.Compute(Plan(), Engine);
        _project.WriteFile("Data/calib.npy", "calibration v2");
        Assert.NotEqual(before, CacheKey.Compute(Plan(), Engine));
    }

    [Fact]
    public void Options_change_the_key()
    {
        var before = CacheKey.Compute(Plan(), Engine);
        var after = CacheKey.Compute(Plan(Source.Replace("[Quantize(", "[Prune(Sparsity = 0.5)]\n[Quantize(")), Engine);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Class_name_changes_the_key()
    {
        Assert.NotEqual(CacheKey.Compute(Plan(), Engine), CacheKey.Compute(Plan(Source.Replace("Digits", "Numbers")), Engine));
    }

    [Fact]
    public void Engine_changes_the_key()
    {
        Assert.NotEqual(CacheKey.Compute(Plan(), Engine), CacheKey.Compute(Plan(), "engine-hash-2"));
    }

    [Fact]
    public void Engine_identity_follows_the_engine_files()
    {
        var engineDirectory = Path.Combine(_project.Directory, "engine");
        Directory.CreateDirectory(engineDirectory);
        var engine = Path.Combine(engineDirectory, "Optimizer.Engine.dll");
        File.WriteAllText(engine, "engine v1");
        File.WriteAllText(Path.Combine(engineDirectory, "Optimizer.Passes.dll"), "passes v1");
        var first = EngineIdentity.Of(engine);

        Assert.Equal(first, EngineIdentity.Of(engine));
        File.WriteAllText(Path.Combine(engineDirectory, "Optimizer.Passes.dll"), "passes v2 (a fixed pass)");
        File.SetLastWriteTimeUtc(Path.Combine(engineDirectory, "Optimizer.Passes.dll"), DateTime.UtcNow.AddMinutes(1));
        Assert.NotEqual(first, EngineIdentity.Of(engine));
    }
}
