using Optimizer.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Optimizer.Training.Conversion;

/// <summary>
/// ONNX operators as TorchSharp calls (ONNX semantics: broadcasting, pads as begin…end pairs,
/// opset-dependent Softmax and Clip). What MLP/CNN classifiers and BERT-family encoders need
/// (<see cref="ShapeKernels"/> has the encoder's indexing and shape operators); everything else is
/// refused up front by <see cref="Supports"/>.
/// </summary>
internal static class OperatorKernels
{
    private static readonly HashSet<string> Elementwise = ["Relu", "Sigmoid", "Tanh", "LeakyRelu", "Clip", "Add", "Sub", "Mul", "Div", "Identity", "Dropout", "Neg", "Sqrt", "Pow", "Exp",
        "Erf", "Gelu", "Cast", "Equal", "Less", "Greater", "Not", "Where"];
    private static readonly HashSet<string> Structural = ["Gemm", "MatMul", "Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
        "Flatten", "Reshape", "Concat", "Softmax", "LogSoftmax", "Transpose", "Squeeze", "Unsqueeze", "ReduceMean", "ReduceSum", "Constant",
        "Gather", "Slice", "Shape", "Expand", "ConstantOfShape", "Range", "LayerNormalization"];

    public static string SupportedList => string.Join(", ", Structural.Where(s => s != "Constant").Concat(Elementwise).Order(StringComparer.Ordinal));

    public static bool Supports(OnnxNode node)
    {
        if (!node.IsDefaultDomain || !(Elementwise.Contains(node.OpType) || Structural.Contains(node.OpType)))
            return false;
        var autoPad = node.FindAttribute("auto_pad")?.String ?? "NOTSET";
        if (node.OpType is "MaxPool" or "LayerNormalization" && node.Outputs.Skip(1).Any(o => o.Length > 0))
            return false; // MaxPool's indices, LayerNormalization's mean and inverse deviation
        return node.OpType is not ("Conv" or "MaxPool" or "AveragePool") || autoPad is "NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER";
    }

    /// <summary>The inputs of <paramref name="node"/> that are weights to train, when they are initializers.</summary>
    public static IEnumerable<string> TrainableInputs(OnnxNode node) => node.OpType switch
    {
        "Conv" or "Gemm" => node.Inputs.Skip(1),
        "MatMul" or "Add" or "Sub" or "Mul" => node.Inputs,
        "BatchNormalization" => node.Inputs.Skip(1).Take(2), // scale, bias; running statistics stay fixed
        "LayerNormalization" => node.Inputs.Skip(1), // scale, bias
        "Gather" => node.Inputs.Take(1), // an embedding table (only float initializers become parameters)
        _ => [],
    };

    public static Tensor[] Run(OnnxNode node, Tensor?[] x, long opset)
    {
        Tensor In(int i) => x[i] ?? throw new InvalidOperationException($"{node.OpType} '{node.Name}' is missing input {i}");
        return node.OpType switch
        {
            "Identity" or "Dropout" => [In(0)],
            "Relu" => [F.relu(In(0))],
            "Sigmoid" => [torch.sigmoid(In(0))],
            "Tanh" => [torch.tanh(In(0))],
            "Neg" => [torch.neg(In(0))],
            "Sqrt" => [torch.sqrt(In(0))],
            "Exp" => [torch.exp(In(0))],
            "Pow" => [torch.pow(In(0), In(1))],
            "LeakyRelu" => [F.leaky_relu(In(0), Float(node, "alpha", 0.01f))],
            "Clip" => [Clip(node, x, opset)],
            "Add" => [In(0) + In(1)],
            "Sub" => [In(0) - In(1)],
            "Mul" => [In(0) * In(1)],
            "Div" => [ShapeKernels.Divide(In(0), In(1))],
            "Erf" => [torch.special.erf(In(0))],
            "Gelu" => [Gelu(node, In(0))],
            "Cast" => [ShapeKernels.Cast(node, In(0))],
            "Equal" => [In(0).eq(In(1))],
            "Less" => [In(0).lt(In(1))],
            "Greater" => [In(0).gt(In(1))],
            "Not" => [In(0).logical_not()],
            "Where" => [torch.where(In(0), In(1), In(2))],
            "Gather" => [ShapeKernels.Gather(node, In(0), In(1))],
            "Slice" => [ShapeKernels.Slice(node, x, opset)],
            "Shape" => [ShapeKernels.Shape(node, In(0))],
            "Expand" => [ShapeKernels.Expand(In(0), In(1))],
            "ConstantOfShape" => [ShapeKernels.ConstantOfShape(node, In(0))],
            "Range" => [ShapeKernels.Range(In(0), In(1), In(2))],
            "LayerNormalization" => [LayerNorm(node, In(0), In(1), x.Length > 2 ? x[2] : null)],
            "MatMul" => [torch.matmul(In(0), In(1))],
            "Gemm" => [Gemm(node, In(0), In(1), x.Length > 2 ? x[2] : null)],
            "Conv" => [Conv(node, In(0), In(1), x.Length > 2 ? x[2] : null)],
            "BatchNormalization" => [F.batch_norm(In(0), In(3), In(4), In(1), In(2), training: false, eps: Float(node, "epsilon", 1e-5f))],
            "MaxPool" or "AveragePool" => [Pool(node, In(0))],
            "GlobalAveragePool" => [In(0).mean(SpatialDims(In(0)), keepdim: true)],
            "GlobalMaxPool" => [In(0).amax(SpatialDims(In(0)), keepdim: true)],
            "Flatten" => [Flatten(In(0), Int(node, "axis", 1))],
            "Reshape" => [Reshape(In(0), In(1), Int(node, "allowzero", 0) != 0)],
            "Concat" => [torch.cat(x.Where(t => t is not null).Select(t => t!).ToArray(), Axis(Int(node, "axis", 0), In(0)))],
            "Softmax" or "LogSoftmax" => [Softmax(node, In(0), opset)],
            "Transpose" => [Transpose(node, In(0))],
            "Squeeze" => [Squeeze(node, x, opset)],
            "Unsqueeze" => [Unsqueeze(node, x, opset)],
            "ReduceMean" => [Reduce(node, x, opset, 18, (t, axes, keep) => t.mean(axes, keepdim: keep))],
            "ReduceSum" => [Reduce(node, x, opset, 13, (t, axes, keep) => t.sum(axes, keepdim: keep))],
            _ => throw new InvalidOperationException($"unsupported operator {node.OpType}"),
        };
    }

    private static Tensor Gemm(OnnxNode node, Tensor a, Tensor b, Tensor? c)
    {
        if (Int(node, "transA", 0) != 0) a = a.t();
        if (Int(node, "transB", 0) != 0) b = b.t();
        var y = torch.matmul(a, b);
        var alpha = Float(node, "alpha", 1f);
        if (alpha != 1f) y = y * alpha;
        if (c is null) return y;
        var beta = Float(node, "beta", 1f);
        return beta == 1f ? y + c : y + c * beta;
    }

    private static Tensor Conv(OnnxNode node, Tensor input, Tensor weight, Tensor? bias)
    {
        var spatial = (int)weight.dim() - 2;
        var kernel = weight.shape.Skip(2).ToArray();
        var strides = Ints(node, "strides") ?? Ones(spatial);
        var dilations = Ints(node, "dilations") ?? Ones(spatial);
        var groups = Int(node, "group", 1);
        var (padded, pads) = Padding(node, input, kernel, strides, dilations, 0);
        if (spatial == 1)
        {
            // conv1d through conv2d with a height of one: one code path for the padding arrays.
            var y = F.conv2d(padded.unsqueeze(2), weight.unsqueeze(2), bias, [1, strides[0]], [0, pads[0]], [1, dilations[0]], groups);
            return y.squeeze(2);
        }
        return spatial == 2
            ? F.conv2d(padded, weight, bias, strides, pads, dilations, groups)
            : F.conv3d(padded, weight, bias, strides, pads, dilations, groups);
    }

    private static Tensor Pool(OnnxNode node, Tensor input)
    {
        var kernel = Ints(node, "kernel_shape") ?? throw new InvalidOperationException("pool without kernel_shape");
        var spatial = kernel.Length;
        var strides = Ints(node, "strides") ?? Ones(spatial);
        var dilations = Ints(node, "dilations") ?? Ones(spatial);
        var ceil = Int(node, "ceil_mode", 0) != 0;
        var max = node.OpType == "MaxPool";
        var countPad = Int(node, "count_include_pad", 0) != 0;
        var (padded, pads) = Padding(node, input, kernel, strides, dilations, max ? double.NegativeInfinity : 0);
        if (spatial == 1)
        {
            var y = Pool(padded.unsqueeze(2), [1, kernel[0]], [1, strides[0]], [0, pads[0]], [1, dilations[0]], ceil, max, countPad);
            return y.squeeze(2);
        }
        return Pool(padded, kernel, strides, pads, dilations, ceil, max, countPad);
    }

    private static Tensor Pool(Tensor x, long[] kernel, long[] strides, long[] pads, long[] dilations, bool ceil, bool max, bool countPad) => (max, kernel.Length) switch
    {
        (true, 2) => F.max_pool2d(x, kernel, strides, pads, dilations, ceil),
        (true, _) => F.max_pool3d(x, kernel, strides, pads, dilations, ceil),
        (false, 2) => F.avg_pool2d(x, kernel, strides, pads, ceil, countPad),
        (false, _) => F.avg_pool3d(x, kernel, strides, pads, ceil, countPad),
    };

    /// <summary>
    /// Symmetric pads go to the op; asymmetric ones (and auto_pad SAME_*) are applied first with
    /// <paramref name="fill"/>, leaving the op no padding.
    /// </summary>
    private static (Tensor Input, long[] Pads) Padding(OnnxNode node, Tensor input, long[] kernel, long[] strides, long[] dilations, double fill)
    {
        var spatial = kernel.Length;
        var autoPad = node.FindAttribute("auto_pad")?.String ?? "NOTSET";
        var pads = autoPad switch
        {
            "VALID" => new long[2 * spatial],
            "SAME_UPPER" or "SAME_LOWER" => SamePads(input, kernel, strides, dilations, autoPad == "SAME_UPPER"),
            _ => Ints(node, "pads") ?? new long[2 * spatial],
        };
        var begin = pads.Take(spatial).ToArray();
        var end = pads.Skip(spatial).ToArray();
        if (begin.SequenceEqual(end))
            return (input, begin);
        // F.pad lists the last dimension first, each as (begin, end).
        var torchPads = Enumerable.Range(0, spatial).Reverse().SelectMany(d => new[] { begin[d], end[d] }).ToArray();
        return (F.pad(input, torchPads, PaddingModes.Constant, fill), new long[spatial]);
    }

    private static long[] SamePads(Tensor input, long[] kernel, long[] strides, long[] dilations, bool upper)
    {
        var spatial = kernel.Length;
        var pads = new long[2 * spatial];
        for (var d = 0; d < spatial; d++)
        {
            var size = input.shape[2 + d];
            var output = (size + strides[d] - 1) / strides[d];
            var total = Math.Max(0, (output - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - size);
            var small = total / 2;
            pads[d] = upper ? small : total - small;
            pads[d + spatial] = total - pads[d];
        }
        return pads;
    }

    private static Tensor Clip(OnnxNode node, Tensor?[] x, long opset)
    {
        if (opset < 11)
            return torch.clamp(x[0]!, Float(node, "min", float.MinValue), Float(node, "max", float.MaxValue));
        var min = x.Length > 1 && x[1] is { } lo ? lo.item<float>() : float.MinValue;
        var max = x.Length > 2 && x[2] is { } hi ? hi.item<float>() : float.MaxValue;
        return torch.clamp(x[0]!, min, max);
    }

    private static Tensor Gelu(OnnxNode node, Tensor x)
    {
        if (node.FindAttribute("approximate")?.String != "tanh") return F.gelu(x);
        // ONNX's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
        return x * 0.5 * (torch.tanh((x + x.pow(3) * 0.044715) * Math.Sqrt(2 / Math.PI)) + 1);
    }

    private static Tensor LayerNorm(OnnxNode node, Tensor x, Tensor scale, Tensor? bias)
    {
        var axis = Axis(Int(node, "axis", -1), x);
        return F.layer_norm(x, x.shape.Skip((int)axis).ToArray(), scale, bias, Float(node, "epsilon", 1e-5f));
    }

    private static Tensor Flatten(Tensor x, long axis)
    {
        axis = axis < 0 ? axis + x.dim() : axis;
        var outer = x.shape.Take((int)axis).Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1);
    }

    private static Tensor Reshape(Tensor x, Tensor shapeTensor, bool allowZero)
    {
        var shape = shapeTensor.data<long>().ToArray();
        for (var i = 0; i < shape.Length; i++)
            if (shape[i] == 0 && !allowZero) shape[i] = x.shape[i];
        return x.reshape(shape);
    }

    private static Tensor Softmax(OnnxNode node, Tensor x, long opset)
    {
        var log = node.OpType == "LogSoftmax";
        var axis = Axis(Int(node, "axis", opset >= 13 ? -1 : 1), x);
        if (opset >= 13 || axis == x.dim() - 1)
            return log ? F.log_softmax(x, axis) : F.softmax(x, axis);
        // Before opset 13: the input is seen as 2-D [prod(dims < axis), prod(dims >= axis)].
        var flat = Flatten(x, axis);
        var y = log ? F.log_softmax(flat, 1) : F.softmax(flat, 1);
        return y.reshape(x.shape);
    }

    private static Tensor Transpose(OnnxNode node, Tensor x)
    {
        var perm = Ints(node, "perm") ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
        return x.permute(perm);
    }

    private static long[] AxesOf(OnnxNode node, Tensor?[] x, long opset, int since) =>
        opset >= since ? (x.Length > 1 && x[1] is { } a ? a.data<long>().ToArray() : []) : Ints(node, "axes") ?? [];

    private static Tensor Squeeze(OnnxNode node, Tensor?[] x, long opset)
    {
        var axes = AxesOf(node, x, opset, 13);
        var y = x[0]!;
        if (axes.Length == 0) return y.squeeze();
        foreach (var axis in axes.Select(a => Axis(a, x[0]!)).OrderDescending()) y = y.squeeze(axis);
        return y;
    }

    private static Tensor Unsqueeze(OnnxNode node, Tensor?[] x, long opset)
    {
        var axes = AxesOf(node, x, opset, 13);
        var rank = x[0]!.dim() + axes.Length;
        var y = x[0]!;
        foreach (var axis in axes.Select(a => a < 0 ? a + rank : a).Order()) y = y.unsqueeze(axis);
        return y;
    }

    // The axes are an attribute before opset axesInputSince (ReduceSum 13, ReduceMean 18) and an input from it; none reduce every axis.
    private static Tensor Reduce(OnnxNode node, Tensor?[] x, long opset, int axesInputSince, Func<Tensor, long[], bool, Tensor> reduce)
    {
        var input = x[0]!;
        var axes = AxesOf(node, x, opset, axesInputSince);
        var reduced = axes.Length == 0 ? Enumerable.Range(0, (int)input.dim()).Select(i => (long)i).ToArray() : axes.Select(a => Axis(a, input)).ToArray();
        return reduce(input, reduced, Int(node, "keepdims", 1) != 0);
    }

    private static long[] SpatialDims(Tensor x) => Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray();
    private static long Axis(long axis, Tensor x) => axis < 0 ? axis + x.dim() : axis;
    private static long[] Ones(int n) => Enumerable.Repeat(1L, n).ToArray();
    private static long Int(OnnxNode node, string name, long fallback) => node.FindAttribute(name)?.Int ?? fallback;
    private static float Float(OnnxNode node, string name, float fallback) => node.FindAttribute(name)?.Float ?? fallback;
    private static long[]? Ints(OnnxNode node, string name) => node.FindAttribute(name)?.Ints.ToArray();
}
