namespace Optimizer.Runtime;

/// <summary>
/// Quantizes the model declared by <see cref="OnnxModelAttribute"/> on the same class at build time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class QuantizeAttribute : Attribute
{
    /// <summary>Quantizes the model with the given mode.</summary>
    /// <param name="mode">The quantization scheme; see <see cref="QuantizationMode"/>.</param>
    public QuantizeAttribute(QuantizationMode mode) => Mode = mode;

    /// <summary>The quantization scheme.</summary>
    public QuantizationMode Mode { get; }

    /// <summary>
    /// Calibration inputs (a <c>.npy</c> file or raw tensor file, relative to the project folder).
    /// Required for <see cref="QuantizationMode.StaticInt8"/>; ignored by the other modes.
    /// </summary>
    public string? Calibration { get; set; }

    /// <summary>
    /// When <see langword="true"/>, the build fails if the quantized model is not faster than the
    /// original on the build machine; when <see langword="false"/> (default) that is only reported.
    /// </summary>
    public bool RequireSpeedup { get; set; }
}
