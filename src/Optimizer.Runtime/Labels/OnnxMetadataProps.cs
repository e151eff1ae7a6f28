using System.Text;

namespace Optimizer.Runtime;

/// <summary>
/// Reads <c>ModelProto.metadata_props</c> (field 14: key/value strings) straight from the model's
/// protobuf bytes, skipping every other field, so both execution paths see the same entries
/// without ONNX Runtime or a protobuf library.
/// </summary>
internal static class OnnxMetadataProps
{
    private const int MetadataPropsField = 14;
    private const int KeyField = 1;
    private const int ValueField = 2;

    /// <summary>The entries in file order (a repeated key keeps its last value); empty when there are none or the bytes are not a model.</summary>
    public static IReadOnlyDictionary<string, string> Read(ReadOnlySpan<byte> model)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Reader(model);
        while (reader.Next(out int field, out ReadOnlySpan<byte> bytes))
        {
            if (field == MetadataPropsField)
            {
                (string key, string value) = ReadEntry(bytes);
                props[key] = value;
            }
        }

        return props;
    }

    private static (string Key, string Value) ReadEntry(ReadOnlySpan<byte> entry)
    {
        string key = "", value = "";
        var reader = new Reader(entry);
        while (reader.Next(out int field, out ReadOnlySpan<byte> bytes))
        {
            if (field == KeyField)
            {
                key = Encoding.UTF8.GetString(bytes);
            }
            else if (field == ValueField)
            {
                value = Encoding.UTF8.GetString(bytes);
            }
        }

        return (key, value);
    }

    /// <summary>Walks a message's fields; yields length-delimited ones and skips the rest. Stops at the end or at malformed bytes.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool Next(out int field, out ReadOnlySpan<byte> bytes)
        {
            while (TryVarint(out ulong tag))
            {
                field = (int)(tag >> 3);
                bytes = default;
                switch ((int)(tag & 7))
                {
                    case 0 when TryVarint(out _):
                        continue;
                    case 1 when _rest.Length >= 8:
                        _rest = _rest[8..];
                        continue;
                    case 5 when _rest.Length >= 4:
                        _rest = _rest[4..];
                        continue;
                    case 2 when TryVarint(out ulong length) && length <= (ulong)_rest.Length:
                        bytes = _rest[..(int)length];
                        _rest = _rest[(int)length..];
                        return true;
                }

                break;
            }

            field = 0;
            bytes = default;
            _rest = default;
            return false;
        }

        private bool TryVarint(out ulong value)
        {
            value = 0;
            for (int i = 0, shift = 0; i < _rest.Length && shift < 64; i++, shift += 7)
            {
                value |= (ulong)(_rest[i] & 0x7F) << shift;
                if ((_rest[i] & 0x80) == 0)
                {
                    _rest = _rest[(i + 1)..];
                    return true;
                }
            }

            return false;
        }
    }
}
