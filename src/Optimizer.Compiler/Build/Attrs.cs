using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;

namespace Optimizer.Compiler.Build;

/// <summary>Attribute reads with ONNX defaults.</summary>
internal static class Attrs
{
    public static long Int(this OnnxNode node, string name, long fallback) => node.FindAttribute(name)?.Int ?? fallback;

    public static float Float(this OnnxNode node, string name, float fallback) => node.FindAttribute(name)?.Float ?? fallback;

    public static string Str(this OnnxNode node, string name, string fallback) => node.FindAttribute(name)?.String ?? fallback;

    public static long[]? Ints(this OnnxNode node, string name) => node.FindAttribute(name)?.Ints.ToArray();

    /// <summary>
    /// Kernels index with <see cref="int"/> and a float32 value's bytes must fit one, so no
    /// tensor a program touches may hold more elements than this.
    /// </summary>
    public const long MaxElements = int.MaxValue / 4;

    /// <summary>The element count of <paramref name="shape"/>[from..to], refused (not wrapped) when a model's dims overflow it.</summary>
    /// <exception cref="UnsupportedException">A dimension is negative or the count exceeds <see cref="MaxElements"/>.</exception>
    public static Dim Product(this Dim[] shape, int from = 0, int to = -1)
    {
        if (to < 0)
        {
            to = shape.Length;
        }

        Dim p = 1;
        for (var i = from; i < to; i++)
        {
            if (shape[i] < 0 || shape[i] > 0 && p.Value > MaxElements / shape[i].Value)
            {
                throw new UnsupportedException($"shape {shape.Format()} has a negative size or more than {MaxElements:N0} elements, which the kernels cannot address");
            }

            p *= shape[i];
        }

        return p;
    }

    /// <summary>The element count of a constant's shape (see the <see cref="Dim"/> overload).</summary>
    public static long Product(this long[] shape, int from = 0, int to = -1) => Dims.Of(shape).Product(from, to).Value;

    public static int NormalizeAxis(long axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1))
        {
            throw new UnsupportedException($"axis {axis} is out of range for rank {rank}");
        }

        return (int)a;
    }

    public static void Reject(this OnnxNode node, string attribute, Func<OnnxAttribute, bool> unsupported, string why)
    {
        if (node.FindAttribute(attribute) is { } a && unsupported(a))
        {
            throw new UnsupportedException($"attribute {attribute}: {why}");
        }
    }
}
