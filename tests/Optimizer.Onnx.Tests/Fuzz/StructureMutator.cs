using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx.Tests.Fuzz;

/// <summary>
/// Mutations that keep the protobuf valid and change what shape inference and validation read:
/// attribute values, dimensions, constant shape/axes data, op types and wiring.
/// </summary>
internal static class StructureMutator
{
    private static readonly long[] Interesting =
        [0, 1, -1, 2, -2, 3, 7, int.MaxValue, 1L << 31, 1L << 32, 1L << 40, 1L << 62, -(1L << 62), long.MaxValue, long.MinValue];

    private static readonly string[] IntsAttributes = ["kernel_shape", "strides", "pads", "dilations", "axes", "perm", "shape"];

    private static readonly string[] IntAttributes = ["axis", "ceil_mode", "allowzero", "to", "transA", "transB", "start", "end", "output_dtype"];

    private static readonly string[] Ops =
        ["Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "Concat", "Unsqueeze", "Squeeze", "Reshape", "Transpose", "Flatten", "Gather",
         "Shape", "ConstantOfShape", "MatMul", "Gemm", "Add", "Mul", "Relu", "Cast", "QuantizeLinear", "DequantizeLinear", "Softmax"];

    public static byte[] Mutate(ModelProto seed, Random random)
    {
        var model = seed.Clone();
        var graph = model.Graph;
        for (var step = random.Next(1, 4); step > 0; step--)
        {
            switch (random.Next(8))
            {
                case 0 when graph.Node.Count > 0:
                    SetInts(Pick(graph.Node, random), Pick(IntsAttributes, random), random);
                    break;
                case 1 when graph.Node.Count > 0:
                    SetInt(Pick(graph.Node, random), Pick(IntAttributes, random), Value(random));
                    break;
                case 2:
                    MutateDims(graph, random);
                    break;
                case 3 when graph.Initializer.Count > 0:
                    MutateInitializer(Pick(graph.Initializer, random), random);
                    break;
                case 4 when graph.Node.Count > 0:
                    Pick(graph.Node, random).OpType = Pick(Ops, random);
                    break;
                case 5 when graph.Node.Count > 1:
                    Rewire(graph, random);
                    break;
                case 6 when graph.Node.Count > 0:
                    var node = Pick(graph.Node, random);
                    if (random.Next(2) == 0) graph.Node.Remove(node);
                    else graph.Node.Add(node.Clone());
                    break;
                default:
                    if (graph.Node.Count > 0) SetInts(Pick(graph.Node, random), Pick(IntsAttributes, random), random);
                    break;
            }
        }

        return model.ToByteArray();
    }

    private static void SetInts(NodeProto node, string name, Random random)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(Enumerable.Range(0, random.Next(0, 7)).Select(_ => random.Next(3) == 0 ? Value(random) : random.Next(-3, 5)));
        Replace(node, attribute);
    }

    private static void SetInt(NodeProto node, string name, long value) =>
        Replace(node, new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    private static void Replace(NodeProto node, AttributeProto attribute)
    {
        var existing = node.Attribute.FirstOrDefault(a => a.Name == attribute.Name);
        if (existing is not null) node.Attribute.Remove(existing);
        node.Attribute.Add(attribute);
    }

    private static void MutateDims(GraphProto graph, Random random)
    {
        var values = graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Where(v => v.Type?.TensorType?.Shape is not null).ToList();
        if (values.Count == 0) return;
        var shape = Pick(values, random).Type.TensorType.Shape;
        switch (random.Next(3))
        {
            case 0 when shape.Dim.Count > 0:
                Pick(shape.Dim, random).DimValue = Value(random);
                break;
            case 1 when shape.Dim.Count > 0:
                shape.Dim.RemoveAt(random.Next(shape.Dim.Count));
                break;
            default:
                shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Value(random) });
                break;
        }
    }

    private static void MutateInitializer(TensorProto tensor, Random random)
    {
        if (tensor.DataType == (int)TensorElementType.Int64 && random.Next(2) == 0)
        {
            // Shape and axes constants: hostile values with consistent dims.
            var values = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(2) == 0 ? Value(random) : random.Next(-3, 9)).ToArray();
            tensor.ClearRawData();
            tensor.Int64Data.Clear();
            tensor.Dims.Clear();
            tensor.Dims.Add(values.Length);
            tensor.RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray());
            return;
        }

        if (tensor.Dims.Count > 0)
        {
            tensor.Dims[random.Next(tensor.Dims.Count)] = Value(random);
        }
    }

    private static void Rewire(GraphProto graph, Random random)
    {
        var node = Pick(graph.Node, random);
        var names = graph.Node.SelectMany(n => n.Output).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Initializer.Select(t => t.Name)).ToList();
        if (node.Input.Count > 0) node.Input[random.Next(node.Input.Count)] = Pick(names, random);
        else node.Input.Add(Pick(names, random));
    }

    private static long Value(Random random) => Interesting[random.Next(Interesting.Length)];

    private static T Pick<T>(IList<T> items, Random random) => items[random.Next(items.Count)];
}
