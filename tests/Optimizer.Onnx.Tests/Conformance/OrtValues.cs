using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Optimizer.Onnx.Tests.Conformance;

/// <summary>Converts test tensors to ONNX Runtime values and compares ORT outputs bit for bit.</summary>
internal static class OrtValues
{
    public static OrtValue FromTensor(OnnxTensor tensor)
    {
        var shape = tensor.Dims.ToArray();
        if (tensor.ElementType == TensorElementType.String)
        {
            var strings = tensor.ToStringArray();
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var i = 0; i < strings.Length; i++)
            {
                value.StringTensorSetElementAt(strings[i].AsSpan(), i);
            }

            return value;
        }

        var bytes = tensor.ToRawBytes();
        var result = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (OrtElementType)(int)tensor.ElementType, shape);
        bytes.CopyTo(result.GetTensorMutableRawData());
        return result;
    }

    /// <summary>A deterministic input for a model that ships none: symbolic dims become 1.</summary>
    public static OrtValue Synthetic(ValueTypeInfo type)
    {
        var shape = (type.Shape ?? []).Select(d => d.Size is > 0 ? d.Size.Value : 1L).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, count).Select(i => (float)Math.Sin(i * 0.37) * 0.5f).ToArray();
        return OrtValue.CreateTensorValueFromMemory(values, shape);
    }

    /// <summary>Null when equal, else what differs.</summary>
    public static string? Difference(OrtValue expected, OrtValue actual)
    {
        if (expected.OnnxType != actual.OnnxType)
        {
            return $"kind {expected.OnnxType} vs {actual.OnnxType}";
        }

        switch (expected.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                return TensorDifference(expected, actual);
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                var count = expected.GetValueCount();
                if (count != actual.GetValueCount())
                {
                    return $"sequence length {count} vs {actual.GetValueCount()}";
                }

                for (var i = 0; i < count; i++)
                {
                    using var e = expected.GetValue(i, OrtAllocator.DefaultInstance);
                    using var a = actual.GetValue(i, OrtAllocator.DefaultInstance);
                    if (Difference(e, a) is { } d)
                    {
                        return $"sequence[{i}]: {d}";
                    }
                }

                return null;
            default:
                return null; // maps and optionals: same kind is all this comparison checks
        }
    }

    private static string? TensorDifference(OrtValue expected, OrtValue actual)
    {
        var e = expected.GetTensorTypeAndShape();
        var a = actual.GetTensorTypeAndShape();
        if (e.ElementDataType != a.ElementDataType || !e.Shape.SequenceEqual(a.Shape))
        {
            return $"type/shape {e.ElementDataType}[{string.Join(",", e.Shape)}] vs {a.ElementDataType}[{string.Join(",", a.Shape)}]";
        }

        if (e.ElementDataType == OrtElementType.String)
        {
            return expected.GetStringTensorAsArray().SequenceEqual(actual.GetStringTensorAsArray()) ? null : "string contents differ";
        }

        return expected.GetTensorDataAsSpan<byte>().SequenceEqual(actual.GetTensorDataAsSpan<byte>()) ? null : "tensor bytes differ";
    }
}
