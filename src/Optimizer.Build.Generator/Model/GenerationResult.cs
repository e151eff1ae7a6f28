namespace Optimizer.Build.Generator.Model;

/// <summary>
/// What to do for one model class: emit <see cref="Manifest"/> into it (when not null) and report
/// <see cref="Diagnostics"/>.
/// </summary>
internal sealed record GenerationResult(ModelClass Class, ModelManifest? Manifest, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A diagnostic as plain values (descriptor id, message arguments, location) so results compare by value.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs);
