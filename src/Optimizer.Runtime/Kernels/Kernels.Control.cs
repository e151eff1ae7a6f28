namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // The two control steps: an If whose condition is known only at run time is compiled as
    // SkipUnless(condition, then-length) · then-branch · Skip(else-length) · else-branch, both branches
    // writing the If's outputs. A control step returns whether the next `steps` steps are skipped;
    // the interpreter advances past them, the generated code jumps (goto) past them. CheckGuard, a size
    // condition of the branch it sits in, is an ordinary call: it skips nothing and throws when broken.

    /// <summary>Skips the next <paramref name="steps"/> steps when the bool <paramref name="condition"/> (one byte) is false.</summary>
    public static bool SkipUnless(ReadOnlySpan<byte> condition, int steps) => condition[0] == 0;

    /// <summary>Skips the next <paramref name="steps"/> steps (the else-branch after a then-branch ran).</summary>
    public static bool Skip(int steps) => steps >= 0;

    /// <summary>
    /// A condition on the input's sizes that the If branch it sits in was compiled under (a size comparison
    /// inside the branch, folded at compile time): checked only when the branch runs, so the branch not
    /// taken cannot refuse a shape. <paramref name="differenceSign"/> is the sign of the sizes' difference
    /// (<see cref="ProgramLayout"/> stores the sign: the difference itself may not fit an int);
    /// <paramref name="allowedSigns"/> has the bits of <see cref="ShapeGuard.AllowedSigns"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The sign is not among <paramref name="allowedSigns"/>.</exception>
    public static void CheckGuard(int differenceSign, int allowedSigns)
    {
        if ((allowedSigns & (1 << (Math.Sign(differenceSign) + 1))) == 0)
        {
            throw new ArgumentException($"The compiled kernels were built for input shapes where, in the If branch this input takes, a difference of two sizes is {ShapeGuard.SignText(allowedSigns)}; "
                                        + $"for this input it is {(differenceSign < 0 ? "negative" : differenceSign == 0 ? "zero" : "positive")}. "
                                        + "Run this shape on ONNX Runtime (ModelOptions.Path = OnnxRuntime), or give the model's inputs fixed sizes.");
        }
    }

    /// <summary>Whether <paramref name="kind"/> is a control step (returns whether to skip; its one integer is the number of steps).</summary>
    public static bool IsControl(StepKind kind) => kind is StepKind.SkipUnless or StepKind.Skip;
}
