using Optimizer.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Optimizer.Training.Conversion;

/// <summary>
/// ONNX's indexing, shape and mask operators (what a BERT-family encoder computes around its
/// MatMuls: embedding lookups, shape arithmetic on int64 tensors, attention-mask broadcasting).
/// Shapes are read from tensor values, so these run on whatever sequence length a batch has.
/// </summary>
internal static class ShapeKernels
{
    /// <summary>Gather along <c>axis</c>; negative indices count from the end, as ONNX allows.</summary>
    public static Tensor Gather(OnnxNode node, Tensor data, Tensor indices)
    {
        var axis = Axis(node.FindAttribute("axis")?.Int ?? 0, data);
        var size = data.shape[axis];
        var index = torch.where(indices.lt(0), indices + size, indices).to_type(ScalarType.Int64);
        var picked = data.index_select(axis, index.flatten());
        var shape = data.shape.Take((int)axis).Concat(indices.shape).Concat(data.shape.Skip((int)axis + 1)).ToArray();
        return picked.reshape(shape);
    }

    /// <summary>Slice (opset 10+: starts, ends, axes, steps as inputs; before: attributes). Ends past the end are clamped.</summary>
    public static Tensor Slice(OnnxNode node, Tensor?[] x, long opset)
    {
        var data = x[0]!;
        long[] Values(int input, string attribute) => opset >= 10
            ? (x.Length > input && x[input] is { } t ? t.data<long>().ToArray() : [])
            : node.FindAttribute(attribute)?.Ints.ToArray() ?? [];
        var starts = Values(1, "starts");
        var ends = Values(2, "ends");
        var axes = Values(3, "axes");
        var steps = opset >= 10 ? Values(4, "") : [];
        if (axes.Length == 0) axes = Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var y = data;
        for (var i = 0; i < starts.Length; i++)
        {
            var axis = Axis(axes[i], data);
            var size = data.shape[axis];
            var step = steps.Length > i ? steps[i] : 1;
            if (step <= 0)
                throw new InvalidOperationException($"Slice '{node.Name}': step {step} (only positive steps are supported)");
            var start = Math.Clamp(starts[i] < 0 ? starts[i] + size : starts[i], 0, size);
            var end = Math.Clamp(ends[i] < 0 ? ends[i] + size : ends[i], 0, size);
            y = y.slice(axis, start, Math.Max(start, end), step);
        }
        return y;
    }

    /// <summary>The input's dimensions as an int64 vector (opset 15's start/end honoured).</summary>
    public static Tensor Shape(OnnxNode node, Tensor x)
    {
        var rank = x.dim();
        long Clamp(long v) => Math.Clamp(v < 0 ? v + rank : v, 0, rank);
        var start = Clamp(node.FindAttribute("start")?.Int ?? 0);
        var end = Clamp(node.FindAttribute("end")?.Int ?? rank);
        return torch.tensor(x.shape.Skip((int)start).Take((int)Math.Max(0, end - start)).ToArray(), ScalarType.Int64);
    }

    /// <summary>Expand: the input broadcast with the shape (ONNX broadcasts both ways, so a 1 in the shape keeps the input's size).</summary>
    public static Tensor Expand(Tensor x, Tensor shapeTensor)
    {
        var target = shapeTensor.data<long>().ToArray();
        var rank = Math.Max(target.Length, (int)x.dim());
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var fromTarget = i - (rank - target.Length) is var t && t >= 0 ? target[t] : 1;
            var fromInput = i - (rank - (int)x.dim()) is var s && s >= 0 ? x.shape[s] : 1;
            shape[i] = fromTarget == 1 ? fromInput : fromTarget;
        }
        return x.expand(shape);
    }

    /// <summary>A tensor of the given shape filled with the <c>value</c> attribute (float 0 by default).</summary>
    public static Tensor ConstantOfShape(OnnxNode node, Tensor shapeTensor)
    {
        var shape = shapeTensor.data<long>().ToArray();
        if (node.FindAttribute("value")?.Tensor is not { } value)
            return torch.zeros(shape, ScalarType.Float32);
        using var fill = ElementTypes.ToTorch(value) ?? throw new InvalidOperationException($"ConstantOfShape '{node.Name}': value of type {value.ElementType}");
        return fill.reshape(1).expand(shape.Length == 0 ? [1] : shape).reshape(shape).clone();
    }

    /// <summary>Range(start, limit, delta) in the inputs' element type.</summary>
    public static Tensor Range(Tensor start, Tensor limit, Tensor delta) =>
        start.dtype == ScalarType.Int64
            ? torch.arange(start.item<long>(), limit.item<long>(), delta.item<long>(), ScalarType.Int64)
            : torch.arange(start.item<float>(), limit.item<float>(), delta.item<float>(), ScalarType.Float32);

    /// <summary>Cast to the <c>to</c> attribute's element type.</summary>
    public static Tensor Cast(OnnxNode node, Tensor x) =>
        x.to_type(ElementTypes.ToTorch(node.FindAttribute("to")?.Int ?? throw new InvalidOperationException($"Cast '{node.Name}' has no 'to'")));

    /// <summary>Integer division truncates in ONNX; float division is true division.</summary>
    public static Tensor Divide(Tensor a, Tensor b) =>
        a.is_floating_point() ? a / b : torch.div(a, b, RoundingMode.trunc);

    private static long Axis(long axis, Tensor x) => axis < 0 ? axis + x.dim() : axis;
}
