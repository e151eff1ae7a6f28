using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Refuses constant tensors (initializers, attribute tensors, sparse tensors and their parts) whose
/// dimensions are negative or multiply past <see cref="ModelLoadLimits.MaxTensorElements"/>: no model
/// that runs has them, and every later step that sizes an array from them would overflow or run out of memory.
/// Runs after external data is resolved, so it also refuses data that does not fill the dimensions
/// (raw bytes or typed values too few or too many), which ONNX Runtime rejects only when it loads the model.
/// </summary>
internal sealed class TensorSizeCheck(ModelLoadLimits limits, string? modelPath)
{
    public void CheckAll(ModelProto model)
    {
        foreach (var tensor in ModelWalker.Tensors(model))
        {
            Check(tensor.Name, tensor.Dims);
            CheckDataLength(tensor);
        }

        foreach (var sparse in ModelWalker.SparseTensors(model))
        {
            Check(sparse.Values?.Name ?? "", sparse.Dims);
        }
    }

    private void Check(string name, IReadOnlyList<long> dims)
    {
        if (DimMath.ElementCount(dims) is not { } count || count > limits.MaxTensorElements)
        {
            throw new OnnxFormatException(OnnxErrorCodes.TensorTooLarge,
                $"Tensor '{name}' has dimensions [{string.Join(",", dims)}], which are negative or hold more than " +
                $"{limits.MaxTensorElements} elements (ModelLoadLimits.MaxTensorElements). Fix or re-export the model.", modelPath);
        }
    }

    private void CheckDataLength(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return;
        }

        var type = (TensorElementType)tensor.DataType;
        long count = DimMath.ElementCount(tensor.Dims) ?? 0;
        (string Field, long Actual, long Expected)? mismatch = null;
        if (!tensor.RawData.IsEmpty)
        {
            if (type.BitsPerElement() > 0 && tensor.RawData.Length != type.RawByteCount(count))
            {
                mismatch = ("raw_data bytes", tensor.RawData.Length, type.RawByteCount(count));
            }
        }
        else
        {
            // The typed fields whose length is one value per element (complex types hold two).
            mismatch = type switch
            {
                TensorElementType.Float when tensor.FloatData.Count is var n && n > 0 && n != count => ("float_data values", n, count),
                TensorElementType.Complex64 when tensor.FloatData.Count is var n && n > 0 && n != 2 * count => ("float_data values", n, 2 * count),
                TensorElementType.Int32 when tensor.Int32Data.Count is var n && n > 0 && n != count => ("int32_data values", n, count),
                TensorElementType.Int64 when tensor.Int64Data.Count is var n && n > 0 && n != count => ("int64_data values", n, count),
                TensorElementType.Double when tensor.DoubleData.Count is var n && n > 0 && n != count => ("double_data values", n, count),
                _ => null,
            };
        }

        if (mismatch is { } m)
        {
            throw new OnnxFormatException(OnnxErrorCodes.TensorDataInvalid,
                $"Tensor '{tensor.Name}' of {type} [{string.Join(",", tensor.Dims)}] holds {m.Actual} {m.Field} where its dimensions need {m.Expected}. " +
                "The model is truncated or corrupted; re-export it.", modelPath);
        }
    }
}
