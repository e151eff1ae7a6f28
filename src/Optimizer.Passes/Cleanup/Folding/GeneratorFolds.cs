using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup.Folding;

/// <summary>Folding rules that make values from a description: ConstantOfShape and Range.</summary>
internal static class GeneratorFolds
{
    public static ConstantValue ConstantOfShape(FoldContext c)
    {
        var dims = c.Input(0).AsInt64s();
        var fill = c.Node.FindAttribute("value")?.Tensor is { } tensor
            ? ConstantValue.TryRead(tensor) ?? throw new FoldingNotPossible($"the fill value's type {tensor.ElementType} is not folded")
            : ConstantValue.Real(TensorElementType.Float, [1], [0]);
        var count = ConstantValue.Product(dims);
        CleanupLimits.CheckSize(count);
        return ConstantValue.Of(fill.ElementType, dims,
            fill.IsReal ? Enumerable.Repeat(fill.Reals![0], (int)count).ToArray() : null,
            fill.IsReal ? null : Enumerable.Repeat(fill.Integers![0], (int)count).ToArray());
    }

    public static ConstantValue Range(FoldContext c)
    {
        var (start, limit, delta) = (c.Input(0), c.Input(1), c.Input(2));
        var (s, l, d) = (start.AsDouble(0), limit.AsDouble(0), delta.AsDouble(0));
        if (d == 0) throw new FoldingNotPossible("delta is 0");
        if (!double.IsFinite(s) || !double.IsFinite(l) || !double.IsFinite(d)) throw new FoldingNotPossible("start, limit or delta is NaN or infinite");
        var count = (long)Math.Max(Math.Ceiling((l - s) / d), 0);
        CleanupLimits.CheckSize(count);
        return start.IsReal
            ? ConstantValue.Real(start.ElementType, [count], Enumerable.Range(0, (int)count).Select(i => s + i * d).ToArray())
            : ConstantValue.Integer(start.ElementType, [count], Enumerable.Range(0, (int)count).Select(i => start.Integers![0] + i * delta.Integers![0]).ToArray());
    }
}
