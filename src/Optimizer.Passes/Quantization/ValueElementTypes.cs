// Element types of every value, without full shape inference: declared types where the model
// has them, else per-operator rules (comparisons give bool, Shape gives int64, Cast gives its
// 'to', most operators keep their first input's type). Enough to tell float activations from
// integer shape arithmetic, which quantization and float16 conversion must leave alone.

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Infers the element type of each value in a graph.</summary>
internal static class ValueElementTypes
{
    private static readonly HashSet<string> Int64Outputs = ["Shape", "Size", "NonZero", "ArgMax", "ArgMin"];
    private static readonly HashSet<string> BoolOutputs = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf"];

    public static Dictionary<string, TensorElementType> Infer(OnnxGraph graph)
    {
        var types = new Dictionary<string, TensorElementType>();
        foreach (var info in graph.DeclaredInputs.Concat(graph.ValueInfos).Concat(graph.Outputs))
        {
            if (info.Type is { ElementType: not TensorElementType.Undefined } type)
            {
                types[info.Name] = type.ElementType;
            }
        }

        foreach (var initializer in graph.Initializers)
        {
            types[initializer.Name] = initializer.ElementType;
        }

        foreach (var node in graph.GetTopologicalOrder())
        {
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                if (node.Outputs[i].Length > 0 && !types.ContainsKey(node.Outputs[i]))
                {
                    types[node.Outputs[i]] = OutputType(node, i, types);
                }
            }
        }

        return types;
    }

    private static TensorElementType OutputType(OnnxNode node, int index, Dictionary<string, TensorElementType> types)
    {
        TensorElementType InputType(int i) => i < node.Inputs.Count && types.TryGetValue(node.Inputs[i], out var t) ? t : TensorElementType.Undefined;
        if (!node.IsDefaultDomain)
        {
            return index == 0 ? InputType(0) : TensorElementType.Undefined;
        }

        return node.OpType switch
        {
            "Constant" => node.Attributes.FirstOrDefault()?.Name switch
            {
                "value" => node.FindAttribute("value")!.Tensor!.ElementType,
                "value_float" or "value_floats" => TensorElementType.Float,
                "value_int" or "value_ints" => TensorElementType.Int64,
                _ => TensorElementType.Undefined,
            },
            "Cast" => (TensorElementType)(node.FindAttribute("to")?.Int ?? 0),
            "ConstantOfShape" => node.FindAttribute("value")?.Tensor?.ElementType ?? TensorElementType.Float,
            "DequantizeLinear" => TensorElementType.Float,
            "QuantizeLinear" => InputType(2) is var zp and not TensorElementType.Undefined ? zp : TensorElementType.UInt8,
            "Where" => InputType(1),
            "TopK" or "MaxPool" when index == 1 => TensorElementType.Int64,
            _ when Int64Outputs.Contains(node.OpType) => TensorElementType.Int64,
            _ when BoolOutputs.Contains(node.OpType) => TensorElementType.Bool,
            _ => InputType(0),
        };
    }
}
