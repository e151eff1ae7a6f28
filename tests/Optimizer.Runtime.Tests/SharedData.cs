using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>Finds <c>../shared/data</c> beside the repository (the folder holding Optimizer.Build.sln).</summary>
internal static class SharedData
{
    public static string? RepositoryRoot => RepositoryLayout.Root;

    public static string? DataFolder => RepositoryLayout.SharedFolder("data");

    public static bool IsAvailable => DataFolder is string folder && File.Exists(Path.Combine(folder, "models", "digits_mlp.onnx"));

    public static string PathOf(string relative) =>
        Path.Combine(DataFolder ?? throw new InvalidOperationException("../shared/data is absent."), relative);

    public static float[] ReadFloats(string relative) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(PathOf(relative))).ToArray();
}

/// <summary>A fact that is skipped, saying why, when <c>../shared/data</c> is not beside the repository.</summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.IsAvailable)
        {
            Skip = $"../shared/data/models/digits_mlp.onnx not found beside the repository ({SharedData.RepositoryRoot ?? "no Optimizer.Build.sln above " + AppContext.BaseDirectory}); real-model tests need it.";
        }
    }
}

/// <summary>A theory that is skipped, saying why, when <c>../shared/data</c> is not beside the repository.</summary>
internal sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.IsAvailable)
        {
            Skip = "../shared/data/models/digits_mlp.onnx not found beside the repository; real-model tests need it.";
        }
    }
}
