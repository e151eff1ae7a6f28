using Microsoft.Build.Framework;
using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The task's Outputs (the targets' @(OptimizerOutput)): every file the engine produced, with the
/// kind and resource name the targets embed it by, the same after a run, on a cache hit and in a
/// design-time build.
/// </summary>
public sealed partial class OptimizeOnnxModelsTaskTests
{
    /// <summary>
    /// A fake dotnet that writes what the real engine writes: the model, a kernel program (and the
    /// fp32 variant for a quantized plan), the manifest and both reports.
    /// </summary>
    private string HostWritingEveryOutput() => Script("every-output.sh", $$"""
        #!/bin/sh
        echo "$5" >> "{{_runLog}}"
        base="${5%.plan.json}"
        printf 'optimized' > "$base.onnx"
        printf 'program' > "$base.kernels"
        if grep -q '"Quantize"' "$5"; then printf 'fp32 program' > "$base.fp32.kernels"; fi
        printf '{}' > "$base.model.json"
        printf '<html></html>' > "$base.report.html"
        printf '# report' > "$base.report.md"
        """);

    private static readonly (string File, string Kind, string LogicalName)[] ExpectedOutputs =
    [
        ("App.Digits.onnx", "OptimizedModel", "Optimizer.Build.App.Digits.onnx"),
        ("App.Digits.kernels", "KernelProgram", "Optimizer.Build.App.Digits.kernels"),
        ("App.Digits.fp32.kernels", "KernelProgram", "Optimizer.Build.App.Digits.fp32.kernels"),
        ("App.Digits.model.json", "Manifest", ""),
        ("App.Digits.report.html", "Report", ""),
        ("App.Digits.report.md", "Report", ""),
        ("App.DigitsFp32.onnx", "OptimizedModel", "Optimizer.Build.App.DigitsFp32.onnx"),
        ("App.DigitsFp32.kernels", "KernelProgram", "Optimizer.Build.App.DigitsFp32.kernels"),
        ("App.DigitsFp32.model.json", "Manifest", ""),
        ("App.DigitsFp32.report.html", "Report", ""),
        ("App.DigitsFp32.report.md", "Report", ""),
    ];

    private static (string File, string Kind, string LogicalName)[] Described(ITaskItem[] outputs) =>
        outputs.Select(o => (Path.GetFileName(o.ItemSpec), o.GetMetadata("Kind"), o.GetMetadata("LogicalName"))).ToArray();

    [ConditionalFact(Needs.Linux)]
    public void Every_output_the_engine_wrote_comes_back_with_its_kind_and_resource_name()
    {
        var run = Run(HostWritingEveryOutput());

        Assert.True(run.Result);
        Assert.Equal(ExpectedOutputs, Described(run.Task.Outputs));
        Assert.All(run.Task.Outputs, o => Assert.Equal(_project.OutputDirectory, Path.GetDirectoryName(o.ItemSpec)));
        Assert.Equal(["App.Digits", "App.DigitsFp32"], run.Task.Outputs.Select(o => o.GetMetadata("OptimizerModelName")).Distinct());
        Assert.All(run.Task.Outputs, o => Assert.Equal("Models/digits.onnx", o.GetMetadata("OptimizerModelPath")));
        // The OptimizedModels and Manifests outputs are the same items, by kind.
        Assert.Equal(run.Task.Outputs.Where(o => o.GetMetadata("Kind") == "OptimizedModel"), run.Task.OptimizedModels);
        Assert.Equal(run.Task.Outputs.Where(o => o.GetMetadata("Kind") == "Manifest"), run.Task.Manifests);
        // Incremental clean removes every output, besides the plans and stamps.
        string[] plansAndStamps = ["App.Digits.plan.json", "App.Digits.stamp", "App.DigitsFp32.plan.json", "App.DigitsFp32.stamp"];
        Assert.Equal(
            run.Task.Outputs.Select(o => o.ItemSpec).Concat(plansAndStamps.Select(f => Path.Combine(_project.OutputDirectory, f))).Order(),
            run.Task.FileWrites.Select(w => w.ItemSpec).Order());
    }

    [ConditionalFact(Needs.Linux)]
    public void A_cache_hit_and_a_design_time_build_return_the_same_outputs()
    {
        var first = Run(HostWritingEveryOutput());
        var cached = Run(HostWritingEveryOutput());
        _project.WriteFile("Models/digits.onnx", "model bytes v2");
        var designTime = Run(HostWritingEveryOutput(), runEngine: false);

        Assert.Equal(2, EngineRuns);
        Assert.Equal(ExpectedOutputs, Described(cached.Task.Outputs));
        Assert.Equal(first.Task.FileWrites.Select(w => w.ItemSpec), cached.Task.FileWrites.Select(w => w.ItemSpec));
        Assert.Equal(ExpectedOutputs, Described(designTime.Task.Outputs));
    }

    [ConditionalFact(Needs.Linux)]
    public void A_run_that_leaves_out_the_manifest_is_OPT1022_and_returns_nothing()
    {
        var run = Run(Script("no-manifest.sh", $$"""
            #!/bin/sh
            echo "$5" >> "{{_runLog}}"
            base="${5%.plan.json}"
            printf 'optimized' > "$base.onnx"
            """));

        Assert.False(run.Result);
        Assert.Equal(["OPT1022", "OPT1022"], run.Engine.Errors.Select(e => e.Code));
        Assert.Contains($"did not write {Path.Combine(_project.OutputDirectory, "App.Digits.model.json")}.", run.Engine.Errors[0].Message);
        Assert.Empty(run.Task.Outputs);

        // No stamp was written: the next build runs the engine again.
        Run(HostWritingEveryOutput());
        Assert.Equal(4, EngineRuns);
    }
}
