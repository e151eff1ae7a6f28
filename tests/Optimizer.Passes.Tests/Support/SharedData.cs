using Optimizer.Tests.Shared;

namespace Optimizer.Passes.Tests.Support;

/// <summary>Finds <c>../shared/data</c> next to the repository root (the folder holding Optimizer.Build.sln).</summary>
internal static class SharedData
{
    public static string RepositoryRoot => RepositoryLayout.RequiredRoot;

    /// <summary>The shared data folder, or null when absent (tests then print why they did not run).</summary>
    public static string? Folder => RepositoryLayout.SharedFolder("data");

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }
}
