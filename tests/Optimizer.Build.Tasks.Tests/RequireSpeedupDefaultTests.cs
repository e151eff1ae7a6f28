using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The project property OptimizerRequireSpeedup: it turns the speed-up gate on for every Quantize
/// pass that does not decide for itself, and never overrides a declared value.
/// </summary>
public sealed class RequireSpeedupDefaultTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    public RequireSpeedupDefaultTests()
    {
        foreach (var model in new[] { "a", "b", "c" })
            _project.WriteFile($"Models/{model}.onnx", "model bytes");
    }

    private IReadOnlyList<OptimizationPlan> Plans() => Discover.Sources(_project, ("Program.cs", """
        using Optimizer.Runtime;
        [OnnxModel("Models/a.onnx")]
        [Quantize(QuantizationMode.DynamicInt8)]
        partial class Undecided;

        [OnnxModel("Models/b.onnx")]
        [Quantize(QuantizationMode.DynamicInt8, RequireSpeedup = false)]
        partial class DeclinesTheGate;

        [OnnxModel("Models/c.onnx")]
        [Prune(Sparsity = 0.5)]
        partial class NotQuantized;
        """)).Plans;

    private static string? RequireSpeedup(OptimizationPlan plan, string pass) =>
        plan.Passes.Where(p => p.Pass == pass)
            .SelectMany(p => p.Options)
            .Where(o => o.Key == "RequireSpeedup")
            .Select(o => o.Value)
            .SingleOrDefault();

    [Fact]
    public void True_adds_the_option_only_where_a_Quantize_pass_leaves_it_open()
    {
        var plans = RequireSpeedupDefault.Apply(Plans(), requireSpeedup: true).ToDictionary(p => p.ModelPath);

        Assert.Equal("true", RequireSpeedup(plans["Models/a.onnx"], "Quantize"));
        Assert.Equal("false", RequireSpeedup(plans["Models/b.onnx"], "Quantize"), ignoreCase: true);
        Assert.Null(RequireSpeedup(plans["Models/c.onnx"], "Prune"));
        Assert.DoesNotContain(plans["Models/c.onnx"].Passes, p => p.Pass == "Quantize");
    }

    [Fact]
    public void False_leaves_every_plan_as_declared()
    {
        var declared = Plans();
        var applied = RequireSpeedupDefault.Apply(declared, requireSpeedup: false);

        Assert.Equal(
            declared.Select(PlanJson.Serialize),
            applied.Select(PlanJson.Serialize));
        Assert.Null(RequireSpeedup(applied.Single(p => p.ModelPath == "Models/a.onnx"), "Quantize"));
    }
}
