using Optimizer.Tests.Shared;

namespace Optimizer.Passes.Tests.Support;

/// <summary><c>../shared/data</c> beside the repository, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
internal static class SharedData
{
    /// <summary>The shared data folder; throws when absent (the test's attribute reports it as skipped first).</summary>
    public static string Folder => RepositoryLayout.RequiredShared("data");

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }
}
