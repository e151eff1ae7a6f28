using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The package's props turn off quick JIT for loops (the compiled kernels would run as tier-0 code for
/// an app's first inferences) unless the project sets it: real MSBuild evaluates a project importing
/// the props from the source tree, and the SDK writes the property into the app's runtimeconfig.json.
/// </summary>
public sealed class QuickJitDefaultTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Theory]
    [InlineData(null, "false")]     // the package's default
    [InlineData("true", "true")]    // the project's own choice is kept
    [InlineData("false", "false")]
    public void Quick_jit_for_loops_is_off_unless_the_project_says_otherwise(string? projectValue, string expected)
    {
        var props = Path.Combine(RepositoryLayout.RequiredRoot, "src", "Optimizer.Build", "build", "Optimizer.Build.props");
        var project = _project.WriteFile("Check.proj", $"""
            <Project>
              <Import Project="{props}" />
              <PropertyGroup>
                {(projectValue is null ? "" : $"<TieredCompilationQuickJitForLoops>{projectValue}</TieredCompilationQuickJitForLoops>")}
              </PropertyGroup>
            </Project>
            """);
        var (exitCode, stdout, stderr) = MsBuildRun.Run(project, "-getProperty:TieredCompilationQuickJitForLoops");

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Equal(expected, stdout.Trim());
    }
}
