namespace Optimizer.Passes;

/// <summary>
/// A pass request cannot be honoured. <see cref="Code"/> is one of <see cref="PassErrorCodes"/>;
/// the message says what is not available and what is.
/// </summary>
public sealed class PassException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">A <see cref="PassErrorCodes"/> value.</param>
    /// <param name="message">What is wrong and what to do.</param>
    public PassException(string code, string message)
        : base(message) => Code = code;

    /// <summary>The diagnostic code (OPT12xx).</summary>
    public string Code { get; }
}
