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

    /// <summary>How <see cref="QuantizationMode.StaticInt8"/> picks activation ranges from the calibration data; default <see cref="CalibrationMethod.Entropy"/>.</summary>
    public CalibrationMethod CalibrationMethod { get; set; }

    /// <summary>The percentile <see cref="CalibrationMethod.Percentile"/> keeps, in (50, 100]; default 99.999.</summary>
    public double Percentile { get; set; }

    /// <summary>The 8-bit type of quantized activations for <see cref="QuantizationMode.StaticInt8"/>; default <see cref="QuantizedActivationType.UInt8"/>.</summary>
    public QuantizedActivationType ActivationType { get; set; }

    /// <summary>
    /// 7-bit weights (default <see langword="true"/>): exact on every x86 CPU. 8-bit weights can
    /// overflow ONNX Runtime's 16-bit accumulation on CPUs without VNNI; set <see langword="false"/>
    /// only for VNNI or Arm targets.
    /// </summary>
    public bool ReduceRange { get; set; } = true;

    /// <summary>One weight scale per output channel (default <see langword="true"/>) rather than per tensor; dynamic INT8.</summary>
    public bool PerChannel { get; set; } = true;

    /// <summary>Weight scales per channel or per tensor for static INT8; default <see cref="WeightGranularity.Auto"/>.</summary>
    public WeightGranularity WeightGranularity { get; set; }

    /// <summary>The operator format of static INT8; default <see cref="QuantizationFormat.Qdq"/>.</summary>
    public QuantizationFormat Format { get; set; }

    /// <summary>
    /// For <see cref="QuantizationMode.StaticInt8"/>: node names left in float32, separated by
    /// <c>;</c>. [AccuracyBudget] adds to this list itself when it must revert layers.
    /// </summary>
    public string? KeepFloat { get; set; }

    /// <summary>
    /// For <see cref="QuantizationMode.Float16"/>: op types or node names kept in fp32, separated by
    /// <c>;</c> (write <c>Default</c> among them to extend the built-in list of range-sensitive ops).
    /// </summary>
    public string? KeepFp32 { get; set; }

    /// <summary>For <see cref="QuantizationMode.Int4"/>: weights per scale, a power of two ≥ 16; default 32.</summary>
    public int BlockSize { get; set; }

    /// <summary>For <see cref="QuantizationMode.Int4"/>: symmetric blocks without zero points; default <see langword="false"/>.</summary>
    public bool Symmetric { get; set; }

    /// <summary>
    /// When <see langword="true"/>, the engine times the quantized model against the fp32 one on the
    /// build machine (ONNX Runtime, one thread, warm-up, median of alternating rounds) and keeps the
    /// quantized model only if it is clearly faster; otherwise it embeds the fp32 model (the other
    /// passes still apply) and warns with the figures (OPT1064). Default <see langword="false"/>;
    /// the project property <c>OptimizerRequireSpeedup</c> turns it on for every model.
    /// </summary>
    public bool RequireSpeedup { get; set; }
}
