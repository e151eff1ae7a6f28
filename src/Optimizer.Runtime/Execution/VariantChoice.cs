using System.ComponentModel;

namespace Optimizer.Runtime;

/// <summary>
/// Which compiled variant the build timed as the faster one on its machine (the engine times the
/// variants' programs against each other, one thread each, interleaved): the first variant that was
/// clearly faster than the fallback (the last), else the fallback. A timing says something only where
/// the same kernels run, so it carries the build machine's <see cref="Machine"/> summary
/// (<see cref="AutoPathChoice.CurrentMachine"/>) and decides only on a CPU with the same one; elsewhere
/// <see cref="Compiled.KernelDispatch"/>'s table decides.
/// </summary>
/// <param name="Machine">The build machine's instruction sets and kernel paths, e.g. <c>AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256</c>.</param>
/// <param name="TimedAt">The shapes of the first input it was timed at, e.g. <c>[1,1,8,8]</c>.</param>
/// <param name="Variant">The variant that won, e.g. <c>int8</c> or <c>fp32</c>.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record VariantChoice(string Machine, string TimedAt, string Variant)
{
    /// <summary>Whether the build's timing holds on <paramref name="cpu"/>: it has the build machine's kernel paths.</summary>
    internal bool AppliesTo(CpuFeatures cpu) => string.Equals(AutoPathChoice.MachineOf(cpu), Machine, StringComparison.Ordinal);

    /// <summary>
    /// Why <see cref="Variant"/> runs, e.g. <c>the build timed int8 clearly faster than fp32 (one thread each) on a CPU with these kernel paths (…) at [1,1,8,8]</c>;
    /// <paramref name="fallback"/> is the last variant's name.
    /// </summary>
    internal string Reason(string fallback) => string.Equals(Variant, fallback, StringComparison.OrdinalIgnoreCase)
        ? $"the build timed no variant clearly faster than {fallback} (one thread each) on a CPU with these kernel paths ({Machine}) at {TimedAt}"
        : $"the build timed {Variant} clearly faster than {fallback} (one thread each) on a CPU with these kernel paths ({Machine}) at {TimedAt}";
}
