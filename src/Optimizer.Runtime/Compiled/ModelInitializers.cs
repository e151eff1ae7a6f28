namespace Optimizer.Runtime.Compiled;

/// <summary>
/// Where each initializer's <c>raw_data</c> is inside a serialized ONNX model (<c>ModelProto</c>): a
/// walk over the protobuf wire format that skips everything else, so a kernel program can read its
/// weights from the embedded model without a protobuf library (trimming- and AOT-safe) and without
/// copying the model. Only the main graph's initializers stored as <c>raw_data</c> are listed; the
/// build references no other. Every length is checked against the data: a malformed model gives
/// <see cref="InvalidDataException"/>, never a read past its end.
/// </summary>
internal static class ModelInitializers
{
    // Field numbers of onnx.proto3 (stable by protobuf's rules).
    private const int ModelGraph = 7, GraphInitializer = 5, TensorName = 8, TensorRawData = 9, TensorDataLocation = 14;
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    /// <summary>The initializers' names and the (offset, length) of their bytes in <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message.</exception>
    public static Dictionary<string, (int Offset, int Length)> Index(ReadOnlySpan<byte> model)
    {
        var found = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        var position = 0;
        while (position < model.Length)
        {
            var (field, wire, start, length) = Next(model, ref position);
            if (field == ModelGraph && wire == LengthDelimited)
            {
                ReadGraph(model, start, start + length, found);
            }
        }

        return found;
    }

    private static void ReadGraph(ReadOnlySpan<byte> data, int position, int end, Dictionary<string, (int, int)> found)
    {
        while (position < end)
        {
            var (field, wire, start, length) = Next(data[..end], ref position);
            if (field == GraphInitializer && wire == LengthDelimited && ReadTensor(data, start, start + length) is { } tensor)
            {
                found[tensor.Name] = (tensor.Offset, tensor.Length);
            }
        }
    }

    private static (string Name, int Offset, int Length)? ReadTensor(ReadOnlySpan<byte> data, int position, int end)
    {
        string? name = null;
        (int Offset, int Length)? raw = null;
        var external = false;
        while (position < end)
        {
            var (field, wire, start, length) = Next(data[..end], ref position);
            switch (field)
            {
                case TensorName when wire == LengthDelimited:
                    name = System.Text.Encoding.UTF8.GetString(data.Slice(start, length));
                    break;
                case TensorRawData when wire == LengthDelimited:
                    raw = (start, length);
                    break;
                case TensorDataLocation when wire == Varint:
                    external = length != 0; // for a varint, Next returns its value as the length
                    break;
            }
        }

        return name is not null && raw is { } r && !external ? (name, r.Offset, r.Length) : null;
    }

    /// <summary>
    /// Reads one field's key at <paramref name="position"/> and moves past the field. For a
    /// length-delimited field returns where its bytes start and how many; for a varint, its value as the length.
    /// </summary>
    private static (int Field, int Wire, int Start, int Length) Next(ReadOnlySpan<byte> data, ref int position)
    {
        var key = ReadVarint(data, ref position);
        var (field, wire) = ((int)(key >> 3), (int)(key & 7));
        switch (wire)
        {
            case Varint:
                var value = ReadVarint(data, ref position);
                return (field, wire, position, value > int.MaxValue ? int.MaxValue : (int)value);
            case Fixed64:
                return (field, wire, Advance(data, ref position, 8), 8);
            case Fixed32:
                return (field, wire, Advance(data, ref position, 4), 4);
            case LengthDelimited:
                var length = ReadVarint(data, ref position);
                if (length > int.MaxValue)
                {
                    throw Malformed();
                }

                return (field, wire, Advance(data, ref position, (int)length), (int)length);
            default:
                throw Malformed();
        }
    }

    private static int Advance(ReadOnlySpan<byte> data, ref int position, int count)
    {
        var start = position;
        if (count < 0 || count > data.Length - position)
        {
            throw Malformed();
        }

        position += count;
        return start;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Malformed();
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed();
    }

    private static InvalidDataException Malformed() =>
        new("The optimized model the kernel program reads its weights from is not a well-formed ONNX file. Rebuild the project.");
}
