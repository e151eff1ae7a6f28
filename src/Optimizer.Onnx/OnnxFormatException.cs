namespace Optimizer.Onnx;

/// <summary>
/// A model could not be loaded, validated or written. <see cref="Code"/> is one of
/// <see cref="OnnxErrorCodes"/>; the message says what is wrong and what to do.
/// </summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">An <see cref="OnnxErrorCodes"/> value.</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="modelPath">The model file, when known.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public OnnxFormatException(string code, string message, string? modelPath = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        ModelPath = modelPath;
    }

    /// <summary>The diagnostic code (OPT11xx).</summary>
    public string Code { get; }

    /// <summary>The model file the problem is in, or null when the model came from bytes.</summary>
    public string? ModelPath { get; }

    /// <inheritdoc />
    public override string ToString() => $"{ModelPath ?? "<model>"}: error {Code}: {Message}";
}
