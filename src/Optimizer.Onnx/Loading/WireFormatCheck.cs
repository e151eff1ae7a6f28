using Google.Protobuf.Reflection;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Walks a serialized model's protobuf framing before it is parsed, following the ONNX schema into
/// nested messages, and refuses any length that runs past the end of its enclosing message.
/// </summary>
/// <remarks>
/// Google.Protobuf reads a length prefix as 32 bits and silently drops the rest, so a graph whose
/// length says 2^62 parses as an empty graph followed by stray fields. Checking every length
/// against the bytes really there turns such lies (and truncations) into a malformed-model error.
/// </remarks>
internal sealed class WireFormatCheck(ModelLoadLimits limits, string? modelPath)
{
    private const int VarintType = 0;
    private const int Fixed64Type = 1;
    private const int LengthDelimitedType = 2;
    private const int Fixed32Type = 5;

    public void Check(ReadOnlySpan<byte> bytes) => CheckMessage(bytes, 0, ModelProto.Descriptor, depth: 0);

    private void CheckMessage(ReadOnlySpan<byte> message, long start, MessageDescriptor? descriptor, int depth)
    {
        if (depth > limits.MaxProtobufRecursionDepth)
        {
            throw new OnnxFormatException(OnnxErrorCodes.NestingTooDeep,
                $"The model nests messages deeper than {limits.MaxProtobufRecursionDepth} levels. " +
                "It is malformed or hostile; raise ModelLoadLimits.MaxProtobufRecursionDepth only for a trusted model.", modelPath);
        }

        var position = 0;
        while (position < message.Length)
        {
            var tagAt = position;
            var tag = ReadVarint(message, ref position, start);
            var fieldNumber = tag >> 3;
            var wireType = (int)(tag & 7);
            if (fieldNumber == 0 || tag > uint.MaxValue)
            {
                throw Malformed(start + tagAt, $"it has an invalid field tag {tag}");
            }

            switch (wireType)
            {
                case VarintType:
                    ReadVarint(message, ref position, start);
                    break;
                case Fixed64Type:
                    Skip(message, ref position, 8, start, fieldNumber);
                    break;
                case Fixed32Type:
                    Skip(message, ref position, 4, start, fieldNumber);
                    break;
                case LengthDelimitedType:
                    var lengthAt = position;
                    var length = ReadVarint(message, ref position, start);
                    if (length > (ulong)(message.Length - position))
                    {
                        throw Malformed(start + lengthAt,
                            $"field {fieldNumber} says it is {length} bytes long, but only {message.Length - position} bytes of its message are left: " +
                            "the file is truncated or the length is false");
                    }

                    var field = descriptor?.FindFieldByNumber((int)fieldNumber);
                    if (field is { FieldType: FieldType.Message })
                    {
                        CheckMessage(message.Slice(position, (int)length), start + position, field.MessageType, depth + 1);
                    }

                    position += (int)length;
                    break;
                default:
                    throw Malformed(start + tagAt, $"field {fieldNumber} uses protobuf wire type {wireType}, which ONNX models never contain");
            }
        }
    }

    private ulong ReadVarint(ReadOnlySpan<byte> message, ref int position, long start)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= message.Length)
            {
                throw Malformed(start + position, "a number is cut off at the end of its message");
            }

            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Malformed(start + position, "a number is longer than 10 bytes");
    }

    private void Skip(ReadOnlySpan<byte> message, ref int position, int count, long start, ulong fieldNumber)
    {
        if (message.Length - position < count)
        {
            throw Malformed(start + position, $"field {fieldNumber} is cut off at the end of its message");
        }

        position += count;
    }

    private OnnxFormatException Malformed(long offset, string problem) =>
        new(OnnxErrorCodes.MalformedProtobuf,
            $"The file is not a valid ONNX model: at byte {offset}, {problem}. Check that it is an .onnx file and was copied completely.", modelPath);
}
