namespace Optimizer.Build.Generator.Model;

/// <summary>
/// The result of reading one manifest: either <see cref="Manifest"/>, or a <see cref="Problem"/>
/// together with whatever identifying fields could still be read, so the problem can be reported
/// at the attribute of the class the manifest was meant for.
/// </summary>
internal sealed record ManifestFile(
    string Path,
    ModelManifest? Manifest,
    ManifestProblem Problem,
    string? ProblemDetail,
    int? FormatVersion,
    string? ClassName,
    string? ModelPath);

internal enum ManifestProblem
{
    None,
    Malformed,
    UnsupportedFormatVersion,
}
