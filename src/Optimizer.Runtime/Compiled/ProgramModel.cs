namespace Optimizer.Runtime.Compiled;

/// <summary>The kinds of kernel program steps; each is one <see cref="Kernels"/> method. The numbers are stored and stable.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum StepKind : ushort
{
    /// <summary><see cref="Kernels.Copy"/>.</summary>
    Copy = 1,
    /// <summary><see cref="Kernels.PackB"/>.</summary>
    PackB = 2,
    /// <summary><see cref="Kernels.Gemm"/>.</summary>
    Gemm = 3,
    /// <summary><see cref="Kernels.Conv"/>.</summary>
    Conv = 4,
    /// <summary><see cref="Kernels.Pool"/>.</summary>
    Pool = 5,
    /// <summary><see cref="Kernels.GlobalPool"/>.</summary>
    GlobalPool = 6,
    /// <summary><see cref="Kernels.Unary"/>.</summary>
    Unary = 7,
    /// <summary><see cref="Kernels.Binary"/>.</summary>
    Binary = 8,
    /// <summary><see cref="Kernels.Transpose"/>.</summary>
    Transpose = 9,
    /// <summary><see cref="Kernels.CopyBlocks"/>.</summary>
    CopyBlocks = 10,
    /// <summary><see cref="Kernels.Softmax"/>.</summary>
    Softmax = 11,
    /// <summary><see cref="Kernels.Quantize"/>.</summary>
    Quantize = 12,
    /// <summary><see cref="Kernels.Dequantize"/>.</summary>
    Dequantize = 13,
    /// <summary><see cref="Kernels.QGemm"/>.</summary>
    QGemm = 14,
    /// <summary><see cref="Kernels.QConv"/>.</summary>
    QConv = 15,
    /// <summary><see cref="Kernels.Reduce"/>.</summary>
    Reduce = 16,
    /// <summary><see cref="Kernels.DynamicQuantize"/>.</summary>
    DynamicQuantize = 17,
    /// <summary><see cref="Kernels.MatMulInteger"/>.</summary>
    MatMulInteger = 18,
    /// <summary><see cref="Kernels.MaxPoolU8"/>.</summary>
    MaxPoolU8 = 19,
    /// <summary><see cref="Kernels.Activation"/>.</summary>
    Activation = 20,
    /// <summary><see cref="Kernels.PRelu"/>.</summary>
    PRelu = 21,
    /// <summary><see cref="Kernels.LayerNorm"/>.</summary>
    LayerNorm = 22,
    /// <summary><see cref="Kernels.CopyStrided"/>.</summary>
    CopyStrided = 23,
    /// <summary><see cref="Kernels.Compare"/>.</summary>
    Compare = 24,
    /// <summary><see cref="Kernels.Logical"/>.</summary>
    Logical = 25,
    /// <summary><see cref="Kernels.Where"/>.</summary>
    Where = 26,
    /// <summary><see cref="Kernels.Cast"/>.</summary>
    Cast = 27,
    /// <summary><see cref="Kernels.Gather"/>.</summary>
    Gather = 28,
    /// <summary><see cref="Kernels.Pad"/>.</summary>
    Pad = 29,
    /// <summary><see cref="Kernels.Resize"/>.</summary>
    Resize = 30,
    /// <summary><see cref="Kernels.ConvTranspose"/>.</summary>
    ConvTranspose = 31,
    /// <summary><see cref="Kernels.LookupU8"/>.</summary>
    LookupU8 = 32,
    /// <summary><see cref="Kernels.Upsample"/>.</summary>
    Upsample = 33,
    /// <summary><see cref="Kernels.AffineActivation"/>.</summary>
    AffineActivation = 34,
    /// <summary><see cref="Kernels.QConvDepthwise"/>.</summary>
    QConvDepthwise = 35,
    /// <summary><see cref="Kernels.QLinearBinary"/>.</summary>
    QLinearBinary = 36,
    /// <summary><see cref="Kernels.QLinearGlobalAveragePool"/>.</summary>
    QLinearGlobalAveragePool = 37,

    /// <summary><see cref="Kernels.SkipUnless"/>: a control step (an If on a run-time condition).</summary>
    SkipUnless = 40,

    /// <summary><see cref="Kernels.Skip"/>: a control step (the end of an If's then-branch).</summary>
    Skip = 41,

    /// <summary><see cref="Kernels.CheckGuard"/>: a size condition of the If branch it sits in, checked when the branch runs.</summary>
    CheckGuard = 42,

    /// <summary><see cref="Kernels.GemmHeads"/>: multi-head attention's batched products on strided heads.</summary>
    GemmHeads = 50,

    /// <summary><see cref="Kernels.Lstm"/>.</summary>
    Lstm = 60,
    /// <summary><see cref="Kernels.Gru"/>.</summary>
    Gru = 61,
}

/// <summary>Where an operand's bytes live.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum BufferRegion : byte
{
    /// <summary>The executor's preallocated scratch memory.</summary>
    Arena = 0,
    /// <summary>The program's constant weights.</summary>
    Weights = 1,
    /// <summary>The caller's input tensor <see cref="Operand.Index"/>.</summary>
    Input = 2,
    /// <summary>The caller's output tensor <see cref="Operand.Index"/>.</summary>
    Output = 3,
}

/// <summary>Element types of program inputs and outputs.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum KernelElementType : byte
{
    /// <summary>32-bit float.</summary>
    Float32 = 1,
    /// <summary>Unsigned byte.</summary>
    UInt8 = 2,
    /// <summary>Signed byte.</summary>
    Int8 = 3,
    /// <summary>32-bit integer.</summary>
    Int32 = 4,
    /// <summary>64-bit integer (ids, indices).</summary>
    Int64 = 5,
    /// <summary>Boolean, one byte (0 or 1).</summary>
    Bool = 6,
}

/// <summary>
/// An arena block one or more intermediate values live in: its size, and the steps between which
/// it is live. Blocks are placed once per distinct input shape (<see cref="ProgramLayout"/>).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record ArenaStorage(SizeExpression Bytes, int FirstStep, int LastStep);

/// <summary>
/// A condition on the symbolic dimensions the program was built under: the model computed with them
/// (e.g. <c>If(Equal(batch, 1))</c>), so the schedule holds only where the sign of
/// <paramref name="Difference"/> is one of <paramref name="AllowedSigns"/> (bit 0 negative, bit 1 zero,
/// bit 2 positive). <see cref="ProgramLayout.For"/> refuses shapes that break a guard.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record ShapeGuard(SizeExpression Difference, byte AllowedSigns)
{
    /// <summary>Whether the guard holds for the symbolic dimensions' values.</summary>
    public bool Holds(ReadOnlySpan<long> symbols) => (AllowedSigns & (1 << (Math.Sign(Difference.Evaluate(symbols)) + 1))) != 0;

    /// <summary>The condition as text, e.g. <c>d0-1 ≠ 0</c>.</summary>
    public override string ToString() => $"{Difference} {SignText(AllowedSigns)}";

    /// <summary>The allowed signs as a condition on the difference, e.g. <c>≥ 0</c>.</summary>
    internal static string SignText(int allowedSigns) => allowedSigns switch { 1 => "< 0", 2 => "= 0", 3 => "≤ 0", 4 => "> 0", 5 => "≠ 0", 6 => "≥ 0", _ => "(any)" };
}

/// <summary>
/// A slice of one region: <paramref name="ByteOffset"/> from its start (for the arena: from the
/// start of <see cref="KernelProgram.ArenaStorages"/>[<paramref name="Index"/>]), <paramref name="Length"/> elements.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public readonly record struct Operand(BufferRegion Region, int Index, SizeExpression ByteOffset, SizeExpression Length)
{
    /// <summary>The operand of a kernel parameter the step leaves empty.</summary>
    public static Operand Empty { get; } = new(BufferRegion.Weights, 0, SizeExpression.Of(0), SizeExpression.Of(0));

    /// <summary>Whether this is <see cref="Empty"/>.</summary>
    public bool IsEmpty => Region == BufferRegion.Weights && Length.Constant == 0 && ByteOffset.Constant == 0;
}

/// <summary>One kernel call: operands, then integer arguments, then float arguments, in the order of the kernel's parameters.</summary>
/// <param name="Kind">The kernel it calls.</param>
/// <param name="Operands">The buffers it reads and writes.</param>
/// <param name="Ints">Its integer arguments, as size expressions of the program's symbols.</param>
/// <param name="Floats">Its float arguments.</param>
/// <param name="Node">The name of the ONNX node the step came from (empty when unknown); it does not affect the call.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record ProgramStep(StepKind Kind, IReadOnlyList<Operand> Operands, IReadOnlyList<SizeExpression> Ints, IReadOnlyList<float> Floats, string Node = "")
{
    /// <inheritdoc />
    public override string ToString() =>
        $"Kernels.{Kind}({string.Join(", ", Operands.Select(o => $"{o.Region}{(o.Region is BufferRegion.Weights ? "" : o.Index.ToString(System.Globalization.CultureInfo.InvariantCulture))}[{o.ByteOffset}B, {o.Length}]")
            .Concat(Ints.Select(i => i.ToString())).Concat(Floats.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f")))})";
}

/// <summary>A program input or output: its name, element type and dimensions (in terms of the symbolic dimensions).</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record ProgramTensor(string Name, KernelElementType ElementType, IReadOnlyList<SizeExpression> Dims)
{
    /// <summary>The element count for the symbolic dimensions' values.</summary>
    public long ElementCount(ReadOnlySpan<long> symbols)
    {
        long count = 1;
        foreach (var d in Dims)
        {
            count = checked(count * d.Evaluate(symbols));
        }

        return count;
    }
}
