using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>
/// A per-tensor QuantizeLinear's constants, with <see cref="Kernels.Quantize"/>'s scalar arithmetic
/// (divide, clamp to the range less the zero point — a NaN to its low end —, round half to even, add the zero point): what the lookup fusions compute their
/// tables with, so a table gives the bytes the unfused steps give.
/// </summary>
internal sealed record Quantizer(float Scale, int Zero, bool Signed)
{
    /// <summary>The quantized value of <paramref name="v"/> as a float in the type's range.</summary>
    public float Apply(float v)
    {
        var (lo, hi) = Signed ? (-128f - Zero, 127f - Zero) : (0f - Zero, 255f - Zero);
        var scaled = v / Scale;
        return MathF.Round(scaled >= lo ? MathF.Min(scaled, hi) : lo) + Zero;
    }

    /// <summary><see cref="Apply"/> as the stored byte (an int8's two's complement).</summary>
    public byte Byte(float v) => Signed ? (byte)(sbyte)Apply(v) : (byte)Apply(v);

    /// <summary>The quantizer of <paramref name="q"/> when it is per tensor to uint8 or int8 with constant parameters, else null.</summary>
    public static Quantizer? Of(OnnxGraph graph, OnnxNode q) =>
        q.FindAttribute("block_size") is null && q.FindAttribute("output_dtype") is null
        && QdqFusion.ScalarFloat(graph, q, 1) is > 0 and var scale
        && QdqFusion.Zero(graph, q) is { Type: TensorElementType.UInt8 or TensorElementType.Int8 } zero
            ? new Quantizer(scale, zero.Value, zero.Type == TensorElementType.Int8)
            : null;
}
