using Optimizer.Onnx;
using Optimizer.Passes.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Optimizer.Training.Conversion;

/// <summary>ONNX element types as torch dtypes (the one table of them: Cast, ConstantOfShape, initializers).</summary>
internal static class ElementTypes
{
    private static readonly Dictionary<TensorElementType, ScalarType> Table = new()
    {
        [TensorElementType.Float] = ScalarType.Float32,
        [TensorElementType.Double] = ScalarType.Float64,
        [TensorElementType.Float16] = ScalarType.Float16,
        [TensorElementType.Int64] = ScalarType.Int64,
        [TensorElementType.Int32] = ScalarType.Int32,
        [TensorElementType.Int16] = ScalarType.Int16,
        [TensorElementType.Int8] = ScalarType.Int8,
        [TensorElementType.UInt8] = ScalarType.Byte,
        [TensorElementType.Bool] = ScalarType.Bool,
    };

    /// <summary>The torch dtype of ONNX element type number <paramref name="onnxType"/>; throws for types torch lacks (strings, unsigned wider than 8 bits).</summary>
    public static ScalarType ToTorch(long onnxType) => Table.TryGetValue((TensorElementType)onnxType, out var type)
        ? type
        : throw new InvalidOperationException($"element type {(TensorElementType)onnxType} has no torch equivalent");

    /// <summary>A data file's tensor (any element type torch has) as a torch tensor of the same shape.</summary>
    public static Tensor ToTorch(DataTensor data) => data.ElementType switch
    {
        TensorElementType.Float => torch.tensor(data.Values<float>().ToArray(), data.Shape),
        TensorElementType.Double => torch.tensor(data.Values<double>().ToArray(), data.Shape),
        TensorElementType.Int64 => torch.tensor(data.Values<long>().ToArray(), data.Shape),
        TensorElementType.Int32 => torch.tensor(data.Values<int>().ToArray(), data.Shape),
        TensorElementType.UInt8 => torch.tensor(data.Bytes, data.Shape),
        TensorElementType.Bool => torch.tensor(data.Bytes, data.Shape).to_type(ScalarType.Bool),
        _ => throw TrainingException.Create(TrainingErrorCodes.DataInvalid, $"training reads float, double, int64, int32, uint8 and bool inputs, not {data.ElementType}."),
    };

    /// <summary>An ONNX tensor's values as a torch tensor, or null for element types training does not read.</summary>
    public static Tensor? ToTorch(OnnxTensor tensor)
    {
        var dims = tensor.Dims.ToArray();
        return tensor.ElementType switch
        {
            TensorElementType.Float => torch.tensor(tensor.ToFloatArray(), dims),
            TensorElementType.Double => torch.tensor(tensor.ToDoubleArray(), dims),
            TensorElementType.Int64 => torch.tensor(tensor.ToInt64Array(), dims),
            TensorElementType.Int32 => torch.tensor(tensor.ToInt32Array(), dims),
            TensorElementType.UInt8 => torch.tensor(tensor.ToUInt8Array(), dims),
            TensorElementType.Bool => torch.tensor(tensor.ToRawBytes(), dims).to_type(ScalarType.Bool),
            _ => null,
        };
    }
}
