using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>Reads <c>../shared/data</c> beside the repository, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
internal static class SharedData
{
    public static string PathOf(string relative) => Path.Combine(RepositoryLayout.RequiredShared("data"), relative);

    public static float[] ReadFloats(string relative) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(PathOf(relative))).ToArray();
}
