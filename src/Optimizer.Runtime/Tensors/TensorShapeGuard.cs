namespace Optimizer.Runtime;

/// <summary>
/// Checks the tensors of one model call against the model's declared input shapes: fixed
/// dimensions must match exactly, a symbolic dimension (such as <c>batch</c>) must have the same
/// size in every input where it appears, and unknown dimensions accept any size.
/// Generated <c>Input</c> constructors create one guard and check each input in turn.
/// </summary>
/// <remarks>A guard is a mutable value for one call on one thread; keep it in a local variable.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct TensorShapeGuard
{
    private readonly ModelMetadata _model;
    private Dictionary<string, (int Size, string Input)>? _symbols;

    /// <summary>Starts checking the inputs of one call to <paramref name="model"/>.</summary>
    public TensorShapeGuard(ModelMetadata model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _symbols = null;
    }

    /// <summary>Checks the tensor given for the model input at <paramref name="inputIndex"/> (graph order).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is <see langword="null"/>.</exception>
    /// <exception cref="TensorShapeException">The rank or a dimension does not match the declared shape.</exception>
    public void Check<T>(int inputIndex, ModelTensor<T> tensor)
    {
        if (_model is null)
        {
            throw new InvalidOperationException("Create the TensorShapeGuard with its ModelMetadata constructor.");
        }

        TensorMetadata expected = _model.Inputs[inputIndex];
        if (tensor is null)
        {
            throw new ArgumentNullException(expected.Name, $"Model '{_model.Name}' needs a tensor for input '{expected.Name}' of shape {expected.FormatShape()}.");
        }

        if (expected.Shape is null)
        {
            return;
        }

        ReadOnlySpan<int> actual = tensor.Shape;
        if (actual.Length != expected.Shape.Count)
        {
            throw Mismatch(expected, actual, $"it needs rank {expected.Shape.Count}, not {actual.Length}");
        }

        for (int axis = 0; axis < actual.Length; axis++)
        {
            TensorDimension dimension = expected.Shape[axis];
            if (dimension.Size is int size && size != actual[axis])
            {
                throw Mismatch(expected, actual, $"dimension {axis} must be {size}");
            }

            if (dimension.Symbol is string symbol)
            {
                _symbols ??= new Dictionary<string, (int, string)>(StringComparer.Ordinal);
                if (_symbols.TryGetValue(symbol, out var bound) && bound.Size != actual[axis])
                {
                    throw Mismatch(expected, actual, $"dimension {axis} ('{symbol}') is {actual[axis]} here but {bound.Size} in input '{bound.Input}'");
                }

                _symbols[symbol] = (actual[axis], expected.Name);
            }
        }
    }

    private readonly TensorShapeException Mismatch(TensorMetadata expected, ReadOnlySpan<int> actual, string problem) =>
        new($"Model '{_model.Name}' input '{expected.Name}' expects shape {expected.FormatShape()} but got {TensorShapeFormatter.Format(actual)}: {problem}. Reshape the tensor to match.", expected.Name);
}
