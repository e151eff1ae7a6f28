// A small local shape propagation for what channel pruning and FLOP counting need: the
// spatial size reaching a Flatten, the channel counts meeting at a Concat, the output sizes of
// Conv/Gemm/MatMul. It starts from the graph inputs' static dimensions and initializer dims,
// covers the ops of CNN/MLP classifiers, and otherwise falls back on the model's own
// value_info. A null dimension is unknown or symbolic (e.g. batch).
// TODO: use Optimizer.Onnx's shape inference once it lands; it covers every op.

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Static value shapes of a graph, as far as local propagation can tell.</summary>
internal sealed class StaticShapes
{
    private static readonly HashSet<string> SameShapeOps =
    [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Selu", "HardSigmoid", "HardSwish", "Softplus", "Softmax",
        "LogSoftmax", "Dropout", "Identity", "BatchNormalization", "Cast", "Neg", "Abs", "Sqrt", "Exp", "Erf", "PRelu", "Gelu",
    ];

    private readonly Dictionary<string, long?[]> _shapes = new(StringComparer.Ordinal);

    private StaticShapes()
    {
    }

    /// <summary>The value's shape, or null when even its rank is unknown.</summary>
    public long?[]? Of(string value) => _shapes.GetValueOrDefault(value);

    public static StaticShapes Infer(OnnxGraph graph)
    {
        var shapes = new StaticShapes();
        foreach (var input in graph.DeclaredInputs)
        {
            shapes.SetFromValueInfo(input);
        }

        foreach (var initializer in graph.Initializers)
        {
            shapes._shapes[initializer.Name] = initializer.Dims.Select(d => (long?)d).ToArray();
        }

        foreach (var node in graph.GetTopologicalOrder())
        {
            if (node.IsDefaultDomain && node.Outputs.Count > 0 && shapes.Propagate(node) is { } output)
            {
                shapes._shapes[node.Outputs[0]] = output;
            }
        }

        foreach (var info in graph.ValueInfos.Concat(graph.Outputs))
        {
            if (!shapes._shapes.ContainsKey(info.Name))
            {
                shapes.SetFromValueInfo(info);
            }
        }

        return shapes;
    }

    private void SetFromValueInfo(ValueInfo info)
    {
        if (info.Type?.Shape is { } shape)
        {
            _shapes[info.Name] = shape.Select(d => d.Size).ToArray();
        }
    }

    private long?[]? Input(OnnxNode node, int index) => index < node.Inputs.Count ? Of(node.Inputs[index]) : null;

    private long?[]? Propagate(OnnxNode node)
    {
        var x = Input(node, 0);
        if (x is null)
        {
            return null;
        }

        return node.OpType switch
        {
            _ when SameShapeOps.Contains(node.OpType) => x,
            "Conv" => Windowed(node, x, Input(node, 1) is { } w ? w[0] : null, Input(node, 1)?.Skip(2).ToArray()),
            "MaxPool" or "AveragePool" or "LpPool" => Windowed(node, x, x[1], node.FindAttribute("kernel_shape")?.Ints.Select(k => (long?)k).ToArray()),
            "GlobalAveragePool" or "GlobalMaxPool" => [x[0], x[1], .. Enumerable.Repeat<long?>(1, x.Length - 2)],
            "Flatten" => Flatten(node, x),
            "Gemm" => Gemm(node, x, Input(node, 1)),
            "MatMul" => MatMul(x, Input(node, 1)),
            "Add" or "Sub" or "Mul" or "Div" or "Max" or "Min" => Broadcast(x, Input(node, 1)),
            "Concat" => Concat(node),
            _ => null,
        };
    }

    private static long?[]? Windowed(OnnxNode node, long?[] x, long? channels, long?[]? kernel)
    {
        var spatial = x.Length - 2;
        if (kernel is null || kernel.Length != spatial || spatial < 1)
        {
            return null;
        }

        var strides = Ints(node, "strides", spatial, 1);
        var dilations = Ints(node, "dilations", spatial, 1);
        var pads = Ints(node, "pads", 2 * spatial, 0);
        var autoPad = node.FindAttribute("auto_pad")?.String ?? "NOTSET";
        var ceil = (node.FindAttribute("ceil_mode")?.Int ?? 0) != 0;
        var output = new long?[x.Length];
        output[0] = x[0];
        output[1] = channels;
        for (var i = 0; i < spatial; i++)
        {
            if (x[i + 2] is not { } size || kernel[i] is not { } k)
            {
                continue;
            }

            var effective = dilations[i] * (k - 1) + 1;
            output[i + 2] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (size + strides[i] - 1) / strides[i],
                "VALID" => (size - effective) / strides[i] + 1,
                _ when ceil => (long)Math.Ceiling((double)(size + pads[i] + pads[i + spatial] - effective) / strides[i]) + 1,
                _ => (size + pads[i] + pads[i + spatial] - effective) / strides[i] + 1,
            };
        }

        return output;
    }

    private static long[] Ints(OnnxNode node, string name, int count, long fallback) =>
        node.FindAttribute(name)?.Ints is { Count: var n } values && n == count ? values.ToArray() : Enumerable.Repeat(fallback, count).ToArray();

    private static long?[] Flatten(OnnxNode node, long?[] x)
    {
        var axis = (int)(node.FindAttribute("axis")?.Int ?? 1);
        axis = axis < 0 ? axis + x.Length : axis;
        return [Product(x.Take(axis)), Product(x.Skip(axis))];
    }

    public static long? Product(IEnumerable<long?> dims)
    {
        long product = 1;
        foreach (var d in dims)
        {
            if (d is not { } size)
            {
                return null;
            }

            product *= size;
        }

        return product;
    }

    private static long?[]? Gemm(OnnxNode node, long?[] a, long?[]? b)
    {
        if (a.Length != 2 || b is not { Length: 2 })
        {
            return null;
        }

        var transA = (node.FindAttribute("transA")?.Int ?? 0) != 0;
        var transB = (node.FindAttribute("transB")?.Int ?? 0) != 0;
        return [transA ? a[1] : a[0], transB ? b[0] : b[1]];
    }

    private static long?[]? MatMul(long?[] a, long?[]? b) =>
        a.Length >= 2 && b is { Length: 2 } ? [.. a[..^1], b[1]] : null;

    private static long?[]? Broadcast(long?[] a, long?[]? b)
    {
        if (b is null)
        {
            return null;
        }

        var rank = Math.Max(a.Length, b.Length);
        var output = new long?[rank];
        for (var i = 1; i <= rank; i++)
        {
            long? da = i <= a.Length ? a[^i] : 1, db = i <= b.Length ? b[^i] : 1;
            output[^i] = da == 1 ? db : db == 1 ? da : da ?? db;
        }

        return output;
    }

    private long?[]? Concat(OnnxNode node)
    {
        var inputs = node.Inputs.Select(Of).ToArray();
        if (inputs.Any(s => s is null) || inputs.Select(s => s!.Length).Distinct().Count() != 1)
        {
            return null;
        }

        var rank = inputs[0]!.Length;
        var axis = (int)(node.FindAttribute("axis")?.Int ?? 0);
        axis = axis < 0 ? axis + rank : axis;
        var output = (long?[])inputs[0]!.Clone();
        output[axis] = Product(inputs.Select(s => s![axis])) is null ? null : inputs.Sum(s => s![axis]);
        return output;
    }
}
