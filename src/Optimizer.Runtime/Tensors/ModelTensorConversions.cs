using System.Numerics.Tensors;
using System.Runtime.InteropServices;

// System.Numerics.Tensors 9.x marks its tensor types experimental; these conversions are the one
// place the runtime touches them, so the suppression stays here.
#pragma warning disable SYSLIB5001

namespace Optimizer.Runtime;

/// <summary>
/// Conversions between <see cref="ModelTensor{T}"/> and the <c>System.Numerics.Tensors</c> types
/// (<see cref="Tensor{T}"/>, <see cref="TensorSpan{T}"/>, <see cref="ReadOnlyTensorSpan{T}"/>), so
/// model inputs and outputs work with <see cref="TensorPrimitives"/> and the BCL's tensor operations.
/// </summary>
public static class ModelTensorConversions
{
    /// <summary>A dense <see cref="TensorSpan{T}"/> over the tensor's elements (no copy; writes go to the tensor).</summary>
    public static TensorSpan<T> AsTensorSpan<T>(this ModelTensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new TensorSpan<T>(tensor.Span, Lengths(tensor.Shape), []);
    }

    /// <summary>A dense <see cref="ReadOnlyTensorSpan{T}"/> over the tensor's elements (no copy).</summary>
    public static ReadOnlyTensorSpan<T> AsReadOnlyTensorSpan<T>(this ModelTensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new ReadOnlyTensorSpan<T>(tensor.Span, Lengths(tensor.Shape), []);
    }

    /// <summary>
    /// A <c>System.Numerics.Tensors</c> <see cref="Tensor{T}"/> of the same shape: it shares the
    /// elements when the tensor wraps a whole array (as model outputs do), else holds a copy.
    /// </summary>
    public static Tensor<T> ToTensor<T>(this ModelTensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        T[] array = MemoryMarshal.TryGetArray<T>(tensor.Memory, out ArraySegment<T> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : tensor.Span.ToArray();
        return Tensor.Create(array, Lengths(tensor.Shape));
    }

    /// <summary>A model tensor holding a copy of <paramref name="tensor"/>'s elements in row-major order.</summary>
    /// <exception cref="ArgumentException">A dimension does not fit in an <see cref="int"/>.</exception>
    public static ModelTensor<T> ToModelTensor<T>(this Tensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.AsReadOnlyTensorSpan().ToModelTensor();
    }

    /// <summary>A model tensor holding a copy of <paramref name="span"/>'s elements in row-major order.</summary>
    /// <exception cref="ArgumentException">A dimension does not fit in an <see cref="int"/>.</exception>
    public static ModelTensor<T> ToModelTensor<T>(this ReadOnlyTensorSpan<T> span)
    {
        var shape = new int[span.Rank];
        for (int axis = 0; axis < shape.Length; axis++)
        {
            shape[axis] = span.Lengths[axis] <= int.MaxValue
                ? (int)span.Lengths[axis]
                : throw new ArgumentException($"Dimension {axis} has {span.Lengths[axis]} elements; a model tensor's dimensions are at most {int.MaxValue}.", nameof(span));
        }

        var data = new T[checked((int)span.FlattenedLength)];
        span.FlattenTo(data);
        return new ModelTensor<T>(data, shape);
    }

    /// <summary>A model tensor holding a copy of <paramref name="span"/>'s elements in row-major order.</summary>
    public static ModelTensor<T> ToModelTensor<T>(this TensorSpan<T> span) => ((ReadOnlyTensorSpan<T>)span).ToModelTensor();

    private static nint[] Lengths(ReadOnlySpan<int> shape)
    {
        var lengths = new nint[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            lengths[i] = shape[i];
        }

        return lengths;
    }
}
