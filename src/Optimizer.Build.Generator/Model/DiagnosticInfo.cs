namespace Optimizer.Build.Generator.Model;

/// <summary>A diagnostic as plain values (descriptor id, message arguments, location) so results compare by value.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs);
