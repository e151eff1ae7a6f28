using Optimizer.Onnx;

namespace Optimizer.Compiler.Build;

/// <summary>Attribute reads with ONNX defaults.</summary>
internal static class Attrs
{
    public static long Int(this OnnxNode node, string name, long fallback) => node.FindAttribute(name)?.Int ?? fallback;

    public static float Float(this OnnxNode node, string name, float fallback) => node.FindAttribute(name)?.Float ?? fallback;

    public static string Str(this OnnxNode node, string name, string fallback) => node.FindAttribute(name)?.String ?? fallback;

    public static long[]? Ints(this OnnxNode node, string name) => node.FindAttribute(name)?.Ints.ToArray();

    public static long Product(this long[] shape, int from = 0, int to = -1)
    {
        if (to < 0)
        {
            to = shape.Length;
        }

        long p = 1;
        for (var i = from; i < to; i++)
        {
            p *= shape[i];
        }

        return p;
    }

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
