using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// The package's extension points, used the way a project would: a target on
/// OptimizerBeforeOptimize declares the model (so it must run before the task reads
/// @(OnnxModel)), and a target on OptimizerAfterOptimize writes down @(OptimizerOutput). It must
/// see every file the engine produced with its kind and resource name, after a build that ran the
/// engine and after one that did no work, and the app must embed exactly the outputs with one.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class OptimizerOutputItemsAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Hooks = """
        <PropertyGroup>
          <OptimizerBeforeOptimizeDependsOn>$(OptimizerBeforeOptimizeDependsOn);DeclareTinyModel</OptimizerBeforeOptimizeDependsOn>
          <OptimizerAfterOptimizeDependsOn>$(OptimizerAfterOptimizeDependsOn);WriteOptimizerOutputs</OptimizerAfterOptimizeDependsOn>
        </PropertyGroup>
        <Target Name="DeclareTinyModel">
          <ItemGroup>
            <OnnxModel Include="Models/tiny.onnx" ClassName="Sample.Tiny" />
          </ItemGroup>
        </Target>
        <Target Name="WriteOptimizerOutputs">
          <WriteLinesToFile File="$(MSBuildProjectDirectory)/optimizer-outputs.txt" Overwrite="true"
                            Lines="@(OptimizerOutput->'%(Kind) %(Filename)%(Extension) %(LogicalName)')" />
        </Target>
        """;

    private const string Program = """
        foreach (var name in typeof(Program).Assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
            Console.WriteLine(name);
        """;

    private static readonly string[] ExpectedOutputs =
    [
        "OptimizedModel Sample.Tiny.onnx Optimizer.Build.Sample.Tiny.onnx",
        "KernelProgram Sample.Tiny.kernels Optimizer.Build.Sample.Tiny.kernels",
        "Manifest Sample.Tiny.model.json",
        "Report Sample.Tiny.report.html",
        "Report Sample.Tiny.report.md",
    ];

    [Fact]
    public void A_target_after_OptimizerAfterOptimize_sees_every_output_and_the_app_embeds_those_with_a_resource_name()
    {
        using var app = new TestApp(packages, "OutputItemsApp", Hooks);
        Directory.CreateDirectory(Path.Combine(app.Directory, "Models"));
        File.WriteAllBytes(Path.Combine(app.Directory, "Models", "tiny.onnx"), TinyOnnxModel.Relu("x", "y", "batch", "relu"));
        app.WriteFile("Program.cs", Program);
        var listed = Path.Combine(app.Directory, "optimizer-outputs.txt");

        var build = app.Build().AssertSucceeded("first dotnet build");
        output.WriteLine(build.Output);
        // The engine ran on the model the hook declared (its summary line).
        Assert.Contains(build.Output.Split('\n'), line => line.Contains("tiny.onnx: ") && line.Contains(" → "));
        Assert.Equal(ExpectedOutputs, File.ReadAllLines(listed).Select(line => line.TrimEnd()));
        // Every file in the output folder but the task's own plan and stamp was handed to the hook.
        Assert.Equal(
            ExpectedOutputs.Select(line => line.Split(' ')[1]).Order(StringComparer.Ordinal),
            Directory.GetFiles(app.OptimizerOutputDirectory).Select(Path.GetFileName)
                .Where(name => !name!.EndsWith(".plan.json", StringComparison.Ordinal) && !name.EndsWith(".stamp", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));

        var run = app.Run().AssertSucceeded("the built app");
        output.WriteLine(run.Output);
        Assert.Equal(
            ["Optimizer.Build.Sample.Tiny.kernels", "Optimizer.Build.Sample.Tiny.onnx"],
            run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        // Nothing changed: the engine does not run, and the hook still sees the same outputs.
        var optimized = Path.Combine(app.OptimizerOutputDirectory, "Sample.Tiny.onnx");
        var written = File.GetLastWriteTimeUtc(optimized);
        File.Delete(listed);
        Thread.Sleep(1100); // coarse file-system timestamps
        var second = app.Build().AssertSucceeded("second dotnet build");
        output.WriteLine(second.Output);
        Assert.DoesNotContain(second.Output.Split('\n'), line => line.Contains("tiny.onnx: ") && line.Contains(" → "));
        Assert.Equal(written, File.GetLastWriteTimeUtc(optimized));
        Assert.Equal(ExpectedOutputs, File.ReadAllLines(listed).Select(line => line.TrimEnd()));
    }
}
