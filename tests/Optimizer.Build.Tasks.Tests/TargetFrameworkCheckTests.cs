using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The package's targets refuse a target framework Optimizer.Runtime cannot serve with OPT1012
/// (instead of the bare CS0246 a compile would give). Runs real MSBuild on a project that imports
/// the package's props and targets from the source tree with the task assembly this test built, so
/// the targets' condition (MSBuild's IsTargetFrameworkCompatible) is what is tested.
/// </summary>
public sealed class TargetFrameworkCheckTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Theory]
    [InlineData("net8.0")]
    [InlineData("net6.0")]
    [InlineData("netstandard2.0")]
    [InlineData("net48")]
    public void An_older_framework_fails_with_OPT1012_naming_it(string framework)
    {
        var (exitCode, output) = RunCheck(framework);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("error OPT1012", output);
        Assert.Contains($"this project builds for {framework}", output);
        Assert.Contains("diagnostics.md#opt1012", output);
    }

    [Theory]
    [InlineData("net10.0")]
    [InlineData("net11.0")]
    [InlineData("net10.0-windows")]
    public void A_net10_or_later_framework_passes(string framework)
    {
        var (exitCode, output) = RunCheck(framework);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("OPT1012", output);
    }

    [Fact]
    public void A_multi_targeting_outer_build_is_left_to_its_inner_builds()
    {
        var (exitCode, output) = RunCheck(framework: "");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("OPT1012", output);
    }

    private (int ExitCode, string Output) RunCheck(string framework)
    {
        var build = Path.Combine(RepositoryLayout.RequiredRoot, "src", "Optimizer.Build", "build");
        var project = _project.WriteFile("Check.proj", $"""
            <Project>
              <PropertyGroup>
                <TargetFramework>{framework}</TargetFramework>
                <OptimizerTasksAssembly>{typeof(CheckTargetFramework).Assembly.Location}</OptimizerTasksAssembly>
                <OptimizerDiagnosticsHelp>{Path.Combine(RepositoryLayout.RequiredRoot, "docs", "diagnostics.md")}</OptimizerDiagnosticsHelp>
              </PropertyGroup>
              <Import Project="{Path.Combine(build, "Optimizer.Build.props")}" />
              <Import Project="{Path.Combine(build, "Optimizer.Build.targets")}" />
              <Target Name="PrepareForBuild" />
            </Project>
            """);
        var (exitCode, stdout, stderr) = MsBuildRun.Run(project, "-t:PrepareForBuild", "-tl:off", "-v:m");
        return (exitCode, stdout + stderr);
    }
}
