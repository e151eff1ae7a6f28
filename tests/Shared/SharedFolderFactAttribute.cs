namespace Optimizer.Tests.Shared;

/// <summary>
/// A fact (in any test project: tests/Shared is linked into each) that needs <c>../shared/&lt;folder&gt;</c> (real models, the conformance suite): reported as
/// skipped, with the reason, where that folder is absent, never as passed.
/// </summary>
internal sealed class SharedFolderFactAttribute : FactAttribute
{
    public SharedFolderFactAttribute(string folder)
    {
        if (RepositoryLayout.SharedFolder(folder) is null)
        {
            Skip = $"../shared/{folder} is absent next to the repository";
        }
    }
}
