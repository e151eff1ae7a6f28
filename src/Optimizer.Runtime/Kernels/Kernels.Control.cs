namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // The two control steps: an If whose condition is known only at run time is compiled as
    // SkipUnless(condition, then-length) · then-branch · Skip(else-length) · else-branch, both branches
    // writing the If's outputs. A control step returns whether the next `steps` steps are skipped;
    // the interpreter advances past them, the generated code jumps (goto) past them.

    /// <summary>Skips the next <paramref name="steps"/> steps when the bool <paramref name="condition"/> (one byte) is false.</summary>
    public static bool SkipUnless(ReadOnlySpan<byte> condition, int steps) => condition[0] == 0;

    /// <summary>Skips the next <paramref name="steps"/> steps (the else-branch after a then-branch ran).</summary>
    public static bool Skip(int steps) => steps >= 0;

    /// <summary>Whether <paramref name="kind"/> is a control step (returns whether to skip; its one integer is the number of steps).</summary>
    public static bool IsControl(StepKind kind) => kind is StepKind.SkipUnless or StepKind.Skip;
}
