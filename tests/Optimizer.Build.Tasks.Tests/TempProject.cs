namespace Optimizer.Build.Tasks.Tests;

/// <summary>A throwaway project folder with a model file, for discovery and cache tests.</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Directory = Path.Combine(Path.GetTempPath(), "optimizer-tasks-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        ProjectFile = Path.Combine(Directory, "App.csproj");
        File.WriteAllText(ProjectFile, "<Project Sdk=\"Microsoft.NET.Sdk\" />\n");
        WriteFile("Models/digits.onnx", "model bytes v1");
    }

    public string Directory { get; }
    public string ProjectFile { get; }
    public string OutputDirectory => Path.Combine(Directory, "obj", "optimizer");

    public string WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Source(string name) => Path.Combine(Directory, name);

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
