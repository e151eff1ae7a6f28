using System.Collections.Generic;
using System.Linq;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// A class the build made a manifest for, from the manifest item's <c>OptimizerClassNames</c>
/// metadata (','-separated full names; the editorconfig it comes through ends a value at ';'): an <c>&lt;OnnxModel ClassName="..."&gt;</c> item's class,
/// and every class of a model declared twice with the same passes, which the task optimizes once
/// (OPT1011). Without the metadata a manifest is matched by its className or model path only.
/// </summary>
internal sealed record ManifestClaim(string ClassName, string ManifestPath)
{
    /// <summary>How the compiler exposes the metadata (CompilerVisibleItemMetadata in the package's props).</summary>
    public const string MetadataKey = "build_metadata.AdditionalFiles.OptimizerClassNames";

    public static IEnumerable<ManifestClaim> Read(string manifestPath, string? metadata) =>
        (metadata ?? string.Empty)
            .Split(',')
            .Select(name => name.Trim())
            .Where(name => name.Length > 0)
            .Select(name => new ManifestClaim(name, manifestPath));
}
