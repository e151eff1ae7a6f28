namespace Optimizer.Engine.Verification;

/// <summary>The models cannot be compared (e.g. an input type we cannot generate data for).</summary>
internal sealed class VerificationException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The role (<see cref="ModelRunner.Original"/>, <see cref="ModelRunner.Optimized"/>) of the model ONNX Runtime failed to run, or null for other causes.</summary>
    public string? OnnxRuntimeFailedOn { get; init; }
}
