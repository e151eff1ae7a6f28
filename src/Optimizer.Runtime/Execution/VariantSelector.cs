using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// Picks the compiled variant: the one <see cref="ModelOptions.Variant"/> names, else the one the build
/// timed faster (<see cref="VariantChoice"/>) when this CPU has the build machine's kernel paths, else
/// the first (in the build's order, best first) whose requirement the kernels <see cref="KernelDispatch"/>
/// selects for this CPU meet: the table decides for CPUs the build did not run on. A pure function of
/// its arguments, so it is tested for every CPU without that CPU.
/// </summary>
internal static class VariantSelector
{
    public const string Int8DotProduct = "int8-dot-product";

    // What each requirement a build can write asks of the kernel paths; a requirement not listed is never met.
    // "int8-dot-product" (the name manifests carry) is met where KernelDispatch's table records the
    // int8 path as measured faster than this CPU's fp32 path: AVX-VNNI, or AVX-512BW without it.
    private static readonly Dictionary<string, Func<KernelIsa, bool>> Requirements = new()
    {
        [Int8DotProduct] = isa => isa.Int8DotProduct,
    };

    /// <summary>
    /// The variant and why it was chosen; null with the reason when the requested one is not embedded.
    /// <c>timed</c> is what the build timed on its machine (<see cref="ModelMetadata.VariantChoice"/>), or null.
    /// </summary>
    public static (CompiledVariant? Variant, string Reason) Choose(IReadOnlyList<CompiledVariant> variants, CpuFeatures cpu, string? requested, VariantChoice? timed = null)
    {
        if (requested is not null)
        {
            CompiledVariant? named = variants.FirstOrDefault(v => string.Equals(v.Name, requested, StringComparison.OrdinalIgnoreCase));
            return named is null
                ? (null, $"ModelOptions.Variant is '{requested}', but the build embedded {string.Join(", ", variants.Select(v => v.Name))}")
                : (named, "ModelOptions.Variant");
        }

        if (timed is not null && timed.AppliesTo(cpu)
            && variants.FirstOrDefault(v => string.Equals(v.Name, timed.Variant, StringComparison.OrdinalIgnoreCase)) is { } winner)
        {
            return (winner, timed.Reason(variants[^1].Name));
        }

        // The build's timing says nothing here (another CPU, or a variant it does not know): the table decides.
        string elsewhere = timed is null ? "" : $" (the build timed the variants on another CPU: {timed.Machine})";
        KernelIsa isa = KernelDispatch.Select(cpu);
        foreach (CompiledVariant variant in variants)
        {
            if (Meets(variant.Requires, isa))
            {
                return (variant, variant.Requires is null
                    ? $"no faster variant's requirement is met by the kernels on this CPU ({cpu}: {isa}){elsewhere}"
                    : $"{variant.Requires} met by the kernels on this CPU ({cpu}: {isa}){elsewhere}");
            }
        }

        return (variants[^1], $"no variant's requirement is met by the kernels on this CPU ({cpu}: {isa}); the last is the fallback{elsewhere}");
    }

    private static bool Meets(string? requirement, KernelIsa isa) =>
        requirement is null || (Requirements.TryGetValue(requirement, out Func<KernelIsa, bool>? met) && met(isa));
}
