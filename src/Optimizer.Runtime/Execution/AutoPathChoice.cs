using System.ComponentModel;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// What the build measured for <see cref="ModelOptions.Path"/> = <see cref="ExecutionPathKind.Auto"/>:
/// present only when the engine timed the compiled kernels clearly faster than ONNX Runtime's CPU
/// provider (one thread each) on the build machine. The timing says something only where the same
/// kernels run, so it carries the build machine's <see cref="Machine"/> summary and applies only on
/// a CPU with the same one.
/// </summary>
/// <param name="Machine">The build machine's instruction sets and kernel paths (<see cref="MachineOf"/>), e.g. <c>AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256</c>.</param>
/// <param name="TimedAt">The shapes of the first input it was timed at, e.g. <c>[1,64]</c>.</param>
/// <param name="Variant">The compiled variant that was timed (the one this machine picks); null when the build embedded one program.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record AutoPathChoice(string Machine, string TimedAt, string? Variant)
{
    /// <summary>This process's <see cref="MachineOf"/> summary: what the engine records for the build machine.</summary>
    public static string CurrentMachine => MachineOf(CpuFeatures.Detect());

    /// <summary>
    /// The variant this process runs among <paramref name="variants"/> (the build's order, best first)
    /// when none is requested: the one the engine times. Null when there are none.
    /// </summary>
    public static string? VariantOnThisMachine(IReadOnlyList<CompiledVariant> variants) =>
        variants.Count == 0 ? null : VariantSelector.Choose(variants, CpuFeatures.Detect(), null).Variant?.Name;

    /// <summary>
    /// The instruction sets ONNX Runtime's kernels depend on and the paths the compiled kernels take
    /// (<see cref="KernelDispatch"/>): two machines with the same summary run the same code on both paths.
    /// </summary>
    internal static string MachineOf(CpuFeatures cpu) => $"{cpu}; {KernelDispatch.Select(cpu)}";

    /// <summary>Why the build's timing does not apply here (another CPU, or another variant requested), or null when it does.</summary>
    internal string? Mismatch(CpuFeatures cpu, string? requestedVariant)
    {
        string here = MachineOf(cpu);
        if (!string.Equals(here, Machine, StringComparison.Ordinal))
        {
            return $"the build timed the compiled kernels faster on another CPU ({Machine}), not on this one ({here})";
        }

        return requestedVariant is not null && Variant is not null && !string.Equals(requestedVariant, Variant, StringComparison.OrdinalIgnoreCase)
            ? $"the build timed the compiled '{Variant}' variant, not '{requestedVariant}'"
            : null;
    }

    /// <summary>Why the compiled kernels come first, e.g. <c>the build timed the compiled kernels faster than ONNX Runtime on this CPU's kernel paths (…) at [1,64]</c>.</summary>
    internal string Reason() =>
        $"the build timed the compiled kernels{(Variant is null ? "" : $" ({Variant})")} faster than ONNX Runtime (one thread each) on a CPU with these kernel paths ({Machine}) at {TimedAt}";
}
