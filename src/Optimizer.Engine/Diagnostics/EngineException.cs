namespace Optimizer.Engine.Diagnostics;

/// <summary>A failure with a code and the place it is reported at.</summary>
public sealed class EngineException : Exception
{
    public EngineException(string code, string message, DiagnosticLocation? location = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Location = location;
    }

    public string Code { get; }
    public DiagnosticLocation? Location { get; }
}
