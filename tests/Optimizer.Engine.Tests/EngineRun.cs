using System.Text.Json;
using Optimizer.Engine.Cli;

namespace Optimizer.Engine.Tests;

/// <summary>Writes plans and runs the engine's entry point in-process, capturing its output.</summary>
internal sealed class EngineRun : IDisposable
{
    public EngineRun()
    {
        Directory = Path.Combine(Path.GetTempPath(), "optimizer-engine-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public string OutputDirectory(string name = "out") => Path.Combine(Directory, name);
    public string SourceFile => Path.Combine(Directory, "Program.cs");

    public string WritePlan(string model, string name, string outputDirectory, params (string Pass, Dictionary<string, string> Options)[] passes)
    {
        var plan = new Dictionary<string, object?>
        {
            ["formatVersion"] = 1,
            ["name"] = name,
            ["className"] = name,
            ["model"] = model,
            ["modelPath"] = "Models/" + Path.GetFileName(model),
            ["declaredAt"] = new { file = SourceFile, line = 12, column = 2 },
            ["outputDirectory"] = outputDirectory,
            ["projectDirectory"] = Directory,
            ["resourceName"] = "Optimizer.Build." + name + ".onnx",
            ["passes"] = passes.Select((p, i) => new
            {
                pass = p.Pass,
                options = p.Options,
                declaredAt = new { file = SourceFile, line = 13 + i, column = 2 },
            }).ToArray(),
        };
        var path = Path.Combine(Directory, name + "." + Guid.NewGuid().ToString("N")[..6] + ".plan.json");
        File.WriteAllText(path, JsonSerializer.Serialize(plan));
        return path;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = EngineCli.Run(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
