namespace Optimizer.Build.Generator.Model;

/// <summary>
/// What to do for one model class: emit <see cref="Manifest"/> into it (when not null) and report
/// <see cref="Diagnostics"/>.
/// </summary>
internal sealed record GenerationResult(ModelClass Class, ModelManifest? Manifest, EquatableArray<DiagnosticInfo> Diagnostics);
