using System.Numerics;

namespace Optimizer.Runtime;

/// <summary>Common reductions over numeric model outputs, such as picking the predicted class.</summary>
public static class TensorExtensions
{
    /// <summary>
    /// The flat index of the largest element (the first one on ties). For a single row of logits,
    /// such as shape <c>[1, 10]</c>, this is the predicted class.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public static int ArgMax<T>(this ModelTensor<T> tensor)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Length == 0)
        {
            throw new InvalidOperationException($"ArgMax needs at least one element; {tensor} is empty.");
        }

        return ArgMax(tensor.Span);
    }

    /// <summary>
    /// For each row (all axes but the last), the index of the largest element along the last axis.
    /// For logits of shape <c>[batch, classes]</c> this is the predicted class of every sample.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar or its last axis is empty.</exception>
    public static int[] ArgMaxLastAxis<T>(this ModelTensor<T> tensor)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank == 0 || tensor.Shape[^1] == 0)
        {
            throw new InvalidOperationException($"ArgMaxLastAxis needs a tensor whose last axis is not empty; got {tensor}.");
        }

        int width = tensor.Shape[^1];
        var result = new int[tensor.Length / width];
        ReadOnlySpan<T> data = tensor.Span;
        for (int row = 0; row < result.Length; row++)
        {
            result[row] = ArgMax(data.Slice(row * width, width));
        }

        return result;
    }

    private static int ArgMax<T>(ReadOnlySpan<T> values)
        where T : INumber<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
