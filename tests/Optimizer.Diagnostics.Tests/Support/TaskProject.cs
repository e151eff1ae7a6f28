using Microsoft.Build.Utilities;
using Optimizer.Build.Tasks;

namespace Optimizer.Diagnostics.Tests.Support;

/// <summary>
/// A throwaway project folder with one [OnnxModel] class, and the real OptimizeOnnxModels task run on
/// it; the engine is a stand-in `dotnet` (a shell script) that prints what a test asks.
/// </summary>
internal sealed class TaskProject : IDisposable
{
    public TaskProject(string modelPath = "Models/tiny.onnx")
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(ProjectFile, "<Project Sdk=\"Microsoft.NET.Sdk\" />\n");
        Write("Models/tiny.onnx", "model bytes");
        Write("engine/Optimizer.Engine.dll", "not really an engine");
        Write("Models.cs", $$"""
            using Optimizer.Runtime;
            namespace App;

            [OnnxModel("{{modelPath}}")]
            public partial class Tiny;
            """);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "optimizer-diagnostics-tests-" + Guid.NewGuid().ToString("N"));
    public string ProjectFile => Path.Combine(Folder, "App.csproj");
    public string Source => Path.Combine(Folder, "Models.cs");

    /// <summary>
    /// A stand-in for `dotnet exec Optimizer.Engine.dll optimize --plan X.plan.json` that prints
    /// <paramref name="line"/> to stderr, writes the outputs when <paramref name="succeed"/>, and exits accordingly.
    /// </summary>
    public string EnginePrinting(string line, bool succeed)
    {
        var lineFile = Write("engine/line.txt", line + "\n");
        var script = Write("engine/dotnet.sh", $$"""
            #!/bin/sh
            base="${5%.plan.json}"
            cat "{{lineFile}}" 1>&2
            {{(succeed ? "printf 'optimized' > \"$base.onnx\"; printf '{}' > \"$base.model.json\"; exit 0" : "exit 1")}}
            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    /// <summary>Runs the task; <paramref name="diagnosticsList"/> is its DiagnosticsHelp (the build's OptimizerDiagnosticsHelp).</summary>
    public RecordingBuildEngine Run(string? diagnosticsList, string? dotnetHost = null)
    {
        var engine = new RecordingBuildEngine();
        var task = new OptimizeOnnxModels
        {
            BuildEngine = engine,
            Sources = [new TaskItem(Source)],
            ProjectDirectory = Folder,
            ProjectFile = ProjectFile,
            OutputDirectory = Path.Combine("obj", "optimizer"),
            EngineAssembly = Path.Combine(Folder, "engine", "Optimizer.Engine.dll"),
            DotnetHostPath = dotnetHost,
            DiagnosticsHelp = diagnosticsList,
        };
        task.Execute();
        return engine;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Write(string relativePath, string text)
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
