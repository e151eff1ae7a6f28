using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// Refuses options the declared mode does not take (<c>[Quantize(StaticInt8, PerChannel = false)]</c>)
/// at the declaration, as the schema's [AppliesTo] says, instead of deep inside the engine.
/// </summary>
internal static class ModeApplicability
{
    /// <returns>The refusal, or null when every option applies to the declared mode.</returns>
    public static string? Refusal(string owner, PassDescriptor pass, IReadOnlyDictionary<string, string> options)
    {
        if (pass.ModeOption is not { } modeOption)
            return null;
        var mode = options.TryGetValue(modeOption.Name, out var declared) ? declared : modeOption.DefaultText;
        var misplaced = options.Keys.Select(pass.Find).FirstOrDefault(o => o is not null && !o.AppliesWith(mode));
        return misplaced is null ? null
            : $"{owner}: {misplaced.Name} does not apply to {modeOption.Name}={mode}; it applies to {modeOption.Name}={string.Join("|", misplaced.AppliesTo)}. Remove {misplaced.Name} or change {modeOption.Name}.";
    }
}
