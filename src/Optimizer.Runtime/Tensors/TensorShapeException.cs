namespace Optimizer.Runtime;

/// <summary>
/// Thrown when a tensor passed to a model does not have the shape the model declares. The
/// message names the model, the input, the expected shape (with symbols) and the actual one.
/// </summary>
public sealed class TensorShapeException : ArgumentException
{
    /// <summary>Creates the exception with a message saying what is wrong and what was expected.</summary>
    public TensorShapeException(string message, string? paramName)
        : base(message, paramName)
    {
    }
}
