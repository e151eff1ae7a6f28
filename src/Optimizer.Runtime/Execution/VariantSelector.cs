namespace Optimizer.Runtime;

/// <summary>
/// Picks the compiled variant: the one <see cref="ModelOptions.Variant"/> names, else the first (in
/// the build's order, best first) whose requirement this CPU meets. A pure function of its
/// arguments, so it is tested for every CPU without that CPU.
/// </summary>
internal static class VariantSelector
{
    public const string Int8DotProduct = "int8-dot-product";

    /// <summary>The variant and why it was chosen; null with the reason when the requested one is not embedded.</summary>
    public static (CompiledVariant? Variant, string Reason) Choose(IReadOnlyList<CompiledVariant> variants, CpuFeatures cpu, string? requested)
    {
        if (requested is not null)
        {
            CompiledVariant? named = variants.FirstOrDefault(v => string.Equals(v.Name, requested, StringComparison.OrdinalIgnoreCase));
            return named is null
                ? (null, $"ModelOptions.Variant is '{requested}', but the build embedded {string.Join(", ", variants.Select(v => v.Name))}")
                : (named, "ModelOptions.Variant");
        }

        foreach (CompiledVariant variant in variants)
        {
            if (Meets(variant.Requires, cpu))
            {
                return (variant, variant.Requires is null ? $"no faster variant's requirement is met by this CPU ({cpu})" : $"{variant.Requires} present ({cpu})");
            }
        }

        return (variants[^1], $"no variant's requirement is met by this CPU ({cpu}); the last is the fallback");
    }

    private static bool Meets(string? requirement, CpuFeatures cpu) => requirement switch
    {
        null => true,
        Int8DotProduct => cpu.HasInt8DotProduct,
        _ => false, // a requirement this runtime does not know: never assume it is met
    };
}
