namespace Optimizer.Runtime;

/// <summary>
/// A dense, row-major tensor: a shape and the elements in one contiguous buffer. Inputs passed to
/// a model are read in place (never copied); outputs returned by a model belong to the caller.
/// </summary>
/// <remarks>
/// Named <c>ModelTensor</c>, not <c>Tensor</c>, so that it never clashes (CS0104) with
/// <c>System.Numerics.Tensors.Tensor&lt;T&gt;</c> or ONNX Runtime's
/// <c>Microsoft.ML.OnnxRuntime.Tensors.Tensor&lt;T&gt;</c> in a file that imports their namespaces
/// beside <c>Optimizer.Runtime</c>. <see cref="ModelTensorConversions"/> converts to and from
/// <c>System.Numerics.Tensors</c>.
/// </remarks>
/// <typeparam name="T">
/// The element type: <see cref="float"/>, <see cref="double"/>, <see cref="Half"/>,
/// <see cref="sbyte"/>, <see cref="byte"/>, <see cref="short"/>, <see cref="ushort"/>,
/// <see cref="int"/>, <see cref="uint"/>, <see cref="long"/>, <see cref="ulong"/>,
/// <see cref="bool"/> or <see cref="string"/>.
/// </typeparam>
public sealed class ModelTensor<T>
{
    private readonly int[] _shape;

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <param name="data">The elements in row-major order; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The size of each dimension, outermost first; every size must be 0 or more. No sizes means a scalar.</param>
    /// <exception cref="ArgumentException">The shape has a negative size, or does not describe exactly <paramref name="data"/>'s length.</exception>
    public ModelTensor(T[] data, params int[] shape)
        : this(new Memory<T>(data ?? throw new ArgumentNullException(nameof(data))), shape)
    {
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <param name="data">The elements in row-major order; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The size of each dimension, outermost first; every size must be 0 or more. No sizes means a scalar.</param>
    /// <exception cref="ArgumentException">The shape has a negative size, or does not describe exactly <paramref name="data"/>'s length.</exception>
    public ModelTensor(Memory<T> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int size in shape)
        {
            if (size < 0)
            {
                throw new ArgumentException($"Tensor shape {TensorShapeFormatter.Format(shape)} has a negative dimension; every size must be 0 or more.", nameof(shape));
            }

            length *= size;
        }

        if (length != data.Length)
        {
            throw new ArgumentException(
                $"Tensor shape {TensorShapeFormatter.Format(shape)} holds {length} elements but the data has {data.Length}; pass data whose length is the product of the shape.",
                nameof(data));
        }

        Memory = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>
    /// Wraps read-only <paramref name="data"/> (not copied) as a tensor of the given shape, for a
    /// model input: models only read their inputs. Do not write through <see cref="Span"/> of such a tensor.
    /// </summary>
    /// <param name="data">The elements in row-major order; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The size of each dimension, outermost first; every size must be 0 or more. No sizes means a scalar.</param>
    /// <exception cref="ArgumentException">The shape has a negative size, or does not describe exactly <paramref name="data"/>'s length.</exception>
    public ModelTensor(ReadOnlyMemory<T> data, params int[] shape)
        : this(System.Runtime.InteropServices.MemoryMarshal.AsMemory(data), shape)
    {
    }

    /// <summary>Creates a tensor of the given shape with every element set to <c>default(T)</c>.</summary>
    /// <param name="shape">The size of each dimension, outermost first.</param>
    public static ModelTensor<T> Zeros(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int size in shape)
        {
            length *= Math.Max(size, 0);
        }

        return new ModelTensor<T>(new T[checked((int)length)], shape);
    }

    /// <summary>The elements in row-major order.</summary>
    public Memory<T> Memory { get; }

    /// <summary>The elements in row-major order, as a span.</summary>
    public Span<T> Span => Memory.Span;

    /// <summary>The size of each dimension, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length => Memory.Length;

    /// <summary>The element at the given indices, one per dimension.</summary>
    /// <exception cref="ArgumentException">The number of indices is not <see cref="Rank"/>.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside its dimension.</exception>
    public ref T this[params ReadOnlySpan<int> indices] => ref Span[OffsetOf(indices)];

    /// <summary>The shape array itself, for the runtime's hot path (never handed out).</summary>
    internal int[] ShapeArray => _shape;

    /// <summary>A copy of the shape as an array.</summary>
    public int[] GetShape() => (int[])_shape.Clone();

    /// <summary>Describes the tensor, for example <c>ModelTensor&lt;Single&gt;[1, 10]</c>.</summary>
    public override string ToString() => $"ModelTensor<{typeof(T).Name}>{TensorShapeFormatter.Format(_shape)}";

    private int OffsetOf(ReadOnlySpan<int> indices)
    {
        if (indices.Length != _shape.Length)
        {
            throw new ArgumentException($"A rank-{_shape.Length} tensor needs {_shape.Length} indices, not {indices.Length}.", nameof(indices));
        }

        int offset = 0;
        for (int axis = 0; axis < indices.Length; axis++)
        {
            if ((uint)indices[axis] >= (uint)_shape[axis])
            {
                throw new IndexOutOfRangeException($"Index {indices[axis]} is outside dimension {axis} of size {_shape[axis]}.");
            }

            offset = (offset * _shape[axis]) + indices[axis];
        }

        return offset;
    }
}
