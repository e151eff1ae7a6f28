namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// The manifest item's <c>OptimizerModelFile</c> metadata (the task sets it when the model is stored
/// as files beside the app; CompilerVisibleItemMetadata in the package's props), as the compiler exposes it.
/// </summary>
internal static class ModelFileMetadata
{
    public const string Name = "OptimizerModelFile";

    public const string Key = "build_metadata.AdditionalFiles." + Name;
}
