using System.Globalization;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Moves a model proto's large main-graph initializers into a data stream as ONNX's external-data
/// convention says (<c>location</c>, <c>offset</c>, <c>length</c>), padding each to the alignment.
/// The proto's initializer list gets new TensorProtos; the model's own tensors are left as they are.
/// </summary>
internal static class ExternalDataWriter
{
    /// <summary>Writes the tensors to <paramref name="data"/> and points the proto at <paramref name="location"/>; returns how many moved.</summary>
    public static int MoveTensors(ModelProto proto, Stream data, string location, ExternalDataOptions options)
    {
        var initializers = proto.Graph.Initializer;
        var moved = 0;
        long position = 0;
        for (var i = 0; i < initializers.Count; i++)
        {
            var tensor = initializers[i];
            var reference = ExternalTensorReference.Of(tensor);
            var length = reference?.Length ?? (tensor.HasRawData ? tensor.RawData.Length : -1);
            if (length < 0 || (reference is null && length < options.MinTensorBytes))
            {
                continue;
            }

            var padding = (options.Alignment - position % options.Alignment) % options.Alignment;
            data.Write(new byte[padding]);
            position += padding;
            if (reference is not null)
            {
                reference.CopyTo(data);
            }
            else
            {
                data.Write(tensor.RawData.Span);
            }

            initializers[i] = Pointing(tensor, location, position, length);
            position += length;
            moved++;
        }

        return moved;
    }

    /// <summary>A copy of <paramref name="tensor"/> without its data, naming where it now is.</summary>
    private static TensorProto Pointing(TensorProto tensor, string location, long offset, long length)
    {
        var copy = tensor.Clone();
        copy.ClearRawData();
        copy.ExternalData.Clear();
        copy.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        copy.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
        copy.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
        copy.DataLocation = TensorProto.Types.DataLocation.External;
        return copy;
    }
}
