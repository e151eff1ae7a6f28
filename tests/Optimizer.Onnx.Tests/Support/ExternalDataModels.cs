using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx.Tests.Support;

/// <summary>
/// Models whose float32 initializers keep their data in files beside them: y = Relu(x · W + b) with
/// W [4,3] (48 bytes) and b [3] (12 bytes), or a single large initializer.
/// </summary>
internal static class ExternalDataModels
{
    /// <summary>Writes <c>model.onnx</c> with each named initializer (W or b) stored at (location, offset).</summary>
    public static string Write(TempFolder folder, params (string Tensor, string Location, long Offset)[] placements)
    {
        var proto = TestModels.LinearRelu();
        foreach (var (name, location, offset) in placements)
        {
            MakeExternal(proto.Graph.Initializer.Single(t => t.Name == name), location, offset);
        }

        var path = folder.File("model.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }

    /// <summary>Writes <c>model.onnx</c>: y = x + W with W a float32 [<paramref name="elements"/>] read from <paramref name="location"/> at each offset (one initializer per offset).</summary>
    public static string WriteLarge(TempFolder folder, string location, long elements, params long[] offsets)
    {
        var graph = new GraphProto { Name = "large" };
        graph.Input.Add(TestModels.TensorValue("x", TensorElementType.Float, elements));
        var sum = "x";
        for (var i = 0; i < offsets.Length; i++)
        {
            var weight = new TensorProto { Name = $"W{i}", DataType = (int)TensorElementType.Float };
            weight.Dims.Add(elements);
            MakeExternal(weight, location, offsets[i]);
            graph.Initializer.Add(weight);
            graph.Node.Add(TestModels.Node("Add", [sum, weight.Name], [$"s{i}"], $"add{i}"));
            sum = $"s{i}";
        }

        graph.Output.Add(TestModels.TensorValue(sum, TensorElementType.Float, elements));
        var path = folder.File("model.onnx");
        File.WriteAllBytes(path, TestModels.Model(graph).ToByteArray());
        return path;
    }

    private static void MakeExternal(TensorProto tensor, string location, long offset)
    {
        var length = tensor.HasRawData ? tensor.RawData.Length : TensorData.ElementCount(tensor) * 4;
        tensor.ClearRawData();
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
