using Microsoft.Build.Framework;
using Optimizer.Build.Tasks.Discovery;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>Runs discovery on source text and items, as the task does.</summary>
internal static class Discover
{
    public static DiscoveryResult Sources(TempProject project, params (string File, string Text)[] sources) =>
        Run(project, sources, Array.Empty<ITaskItem>());

    public static DiscoveryResult Run(TempProject project, (string File, string Text)[] sources, ITaskItem[] items, params string[] symbols) =>
        ModelDiscovery.Discover(
            sources.Select(s => (project.Source(s.File), s.Text)),
            items,
            project.Directory,
            project.ProjectFile,
            project.OutputDirectory,
            symbols);
}
