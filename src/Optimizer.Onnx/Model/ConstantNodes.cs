using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>Reads the value of a <c>Constant</c> node, whichever attribute form it uses.</summary>
internal static class ConstantNodes
{
    public static OnnxTensor? ReadValue(OnnxNode node)
    {
        var name = node.Outputs.Count > 0 ? node.Outputs[0] : "";
        foreach (var attribute in node.Attributes)
        {
            var p = attribute.Proto;
            OnnxTensor? tensor = attribute.Name switch
            {
                "value" when p.T is not null => new OnnxTensor(p.T.Clone()),
                "value_float" => OnnxTensor.FromFloats(name, [], [p.F]),
                "value_floats" => OnnxTensor.FromFloats(name, [p.Floats.Count], p.Floats.ToArray()),
                "value_int" => OnnxTensor.FromInt64s(name, [], [p.I]),
                "value_ints" => OnnxTensor.FromInt64s(name, [p.Ints.Count], p.Ints.ToArray()),
                "value_string" => StringTensor(name, [], [p.S]),
                "value_strings" => StringTensor(name, [p.Strings.Count], p.Strings),
                _ => null,
            };
            if (tensor is not null)
            {
                tensor.Name = name;
                return tensor;
            }
        }

        return null;
    }

    private static OnnxTensor StringTensor(string name, long[] dims, IEnumerable<ByteString> values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorElementType.String };
        proto.Dims.AddRange(dims);
        proto.StringData.AddRange(values);
        return new OnnxTensor(proto);
    }
}
