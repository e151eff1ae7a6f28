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
    /// <param name="pass">The requested pass name the problem is about, when known.</param>
    public PassException(string code, string message, string? pass = null)
        : base(message)
    {
        Code = code;
        Pass = pass;
    }

    /// <summary>The diagnostic code (OPT12xx).</summary>
    public string Code { get; }

    /// <summary>The pass name as requested (e.g. <c>Prune</c>), so callers can point at its declaration; null when not about one pass.</summary>
    public string? Pass { get; }
}
