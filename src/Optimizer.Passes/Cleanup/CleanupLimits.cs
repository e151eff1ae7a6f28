using Optimizer.Passes.Cleanup.Folding;

namespace Optimizer.Passes.Cleanup;

/// <summary>Bounds that keep clean-up from turning a compact model into a huge file.</summary>
internal static class CleanupLimits
{
    /// <summary>No folded tensor is larger than this many elements (4 MB of float32).</summary>
    public const long MaxFoldedElements = 1_000_000;

    /// <summary>
    /// A generator (ConstantOfShape, Range) is folded only up to this size: beyond it, the node is
    /// a few bytes describing what a folded initializer would store in full.
    /// </summary>
    public const long MaxGeneratedElements = 4096;

    public static void CheckSize(long count)
    {
        if (count > MaxFoldedElements)
        {
            throw new FoldingNotPossible($"the result would hold {count:N0} elements (limit {MaxFoldedElements:N0})");
        }
    }
}
