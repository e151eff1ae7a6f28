using Optimizer.Tests.Shared;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>
/// Facts and theories over the real models and conformance cases of <c>../shared</c>: skipped,
/// saying why, when that folder is not beside the repository (a checkout elsewhere), instead of
/// failing on a missing file.
/// </summary>
internal static class SharedDataPresence
{
    public static string? SkipReason { get; } =
        RepositoryLayout.SharedFolder("data/models") is null || RepositoryLayout.SharedFolder("onnx-conformance/node") is null
            ? $"../shared/data and ../shared/onnx-conformance are not beside the repository ({RepositoryLayout.Root ?? "no Optimizer.Build.sln above " + AppContext.BaseDirectory}); the compiled-kernel tests over real models need them."
            : null;
}

internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute() => Skip = SharedDataPresence.SkipReason;
}

internal sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute() => Skip = SharedDataPresence.SkipReason;
}
