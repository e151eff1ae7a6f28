using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Refuses constant tensors (initializers, attribute tensors, sparse tensors and their parts) whose
/// dimensions are negative or multiply past <see cref="ModelLoadLimits.MaxTensorElements"/>: no model
/// that runs has them, and every later step that sizes an array from them would overflow or run out of memory.
/// </summary>
internal sealed class TensorSizeCheck(ModelLoadLimits limits, string? modelPath)
{
    public void CheckAll(ModelProto model)
    {
        foreach (var tensor in ModelWalker.Tensors(model))
        {
            Check(tensor.Name, tensor.Dims);
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
}
