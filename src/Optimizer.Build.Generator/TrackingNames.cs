namespace Optimizer.Build.Generator;

/// <summary>Names of the pipeline steps, so tests can check that an unrelated edit leaves them cached.</summary>
internal static class TrackingNames
{
    public const string ModelClasses = nameof(ModelClasses);
    public const string Manifests = nameof(Manifests);
    public const string AllManifests = nameof(AllManifests);
    public const string Results = nameof(Results);
    public const string KernelCatalog = nameof(KernelCatalog);
    public const string Claims = nameof(Claims);
    public const string ItemClasses = nameof(ItemClasses);
    public const string ItemResults = nameof(ItemResults);
}
