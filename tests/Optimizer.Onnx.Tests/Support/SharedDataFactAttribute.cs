namespace Optimizer.Onnx.Tests.Support;

/// <summary>
/// A fact that needs <c>../shared/&lt;folder&gt;</c> (real models, the conformance suite): reported as
/// skipped, with the reason, where that folder is absent, never as passed.
/// </summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string folder)
    {
        if (Optimizer.Tests.Shared.RepositoryLayout.SharedFolder(folder) is null)
        {
            Skip = $"../shared/{folder} is absent next to the repository";
        }
    }
}
