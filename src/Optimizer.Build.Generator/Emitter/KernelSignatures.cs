using System.Collections.Generic;
using System.Linq;

namespace Optimizer.Build.Generator.Emitter;

/// <summary>
/// The kernel set's signatures (Optimizer.Runtime/Compiled/README.md, "Steps"): each operand's
/// element type and which integer arguments go as one six-element span. The list is closed; a
/// kernel the generator does not know is reported, never guessed.
/// </summary>
internal static class KernelSignatures
{
    private static readonly Dictionary<string, KernelSignature> ByName = new[]
    {
        new KernelSignature("Copy", "ff"),
        new KernelSignature("PackB", "ff"),
        new KernelSignature("Gemm", "ffff"),
        new KernelSignature("Conv", "fffff"),
        new KernelSignature("Pool", "ff"),
        new KernelSignature("GlobalPool", "ff"),
        new KernelSignature("Unary", "ff"),
        new KernelSignature("Binary", "fff", 2, 8, 14),
        new KernelSignature("Transpose", "ff", 1, 7),
        new KernelSignature("CopyBlocks", "ff"),
        new KernelSignature("Softmax", "ff"),
        new KernelSignature("Quantize", "fuff"),
        new KernelSignature("Dequantize", "ufff"),
        new KernelSignature("QGemm", "uuifu"),
        new KernelSignature("QConv", "uuifuu"),
        new KernelSignature("Reduce", "ff"),
        new KernelSignature("DynamicQuantize", "fufu"),
        new KernelSignature("MatMulInteger", "uuiuui"),
    }.ToDictionary(s => s.Name, System.StringComparer.Ordinal);

    public static KernelSignature? Find(string name) => ByName.TryGetValue(name, out KernelSignature signature) ? signature : null;
}

/// <summary>A kernel: operand element types (<c>f</c> float, <c>u</c> byte, <c>i</c> int32) and where six-int spans start.</summary>
internal sealed class KernelSignature
{
    public KernelSignature(string name, string operandTypes, params int[] spanStarts)
    {
        Name = name;
        OperandTypes = operandTypes.ToCharArray();
        SpanStarts = spanStarts;
    }

    public const int SpanLength = 6;

    public string Name { get; }

    public char[] OperandTypes { get; }

    public int[] SpanStarts { get; }

    /// <summary>Whether <paramref name="intCount"/> integers cover the spans.</summary>
    public bool Accepts(int intCount) => SpanStarts.All(start => start + SpanLength <= intCount);
}
