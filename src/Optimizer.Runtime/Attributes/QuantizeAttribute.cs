namespace Optimizer.Runtime;

/// <summary>
/// Quantizes the model declared by <see cref="OnnxModelAttribute"/> on the same class at build time.
/// </summary>
[OptimizationPass(PipelineStage.Quantization, "Lowers the precision of weights (and activations): INT8, FP16 or INT4.", ItemKey = nameof(Mode))]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class QuantizeAttribute : Attribute
{
    /// <summary>Quantizes the model with the given mode.</summary>
    /// <param name="mode">The quantization scheme; see <see cref="QuantizationMode"/>.</param>
    public QuantizeAttribute(QuantizationMode mode) => Mode = mode;

    /// <summary>The quantization scheme.</summary>
    [PassOption("The quantization scheme.", ItemMetadata = "Quantize")]
    public QuantizationMode Mode { get; }

    /// <summary>
    /// Calibration inputs (a <c>.npz</c> with one array per model input, a folder of ONNX
    /// <c>test_data_set_*</c> feeds, or for single-input models a <c>.npy</c> or raw float32 file), relative to the project folder.
    /// Required for <see cref="QuantizationMode.StaticInt8"/>; the build refuses it with the other modes.
    /// </summary>
    [PassOption("Calibration inputs (.npz with one array per input, a test_data_set_* folder, .npy or raw float32), relative to the project folder; required.", DataFile = true)]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public string? Calibration { get; set; }

    /// <summary>How <see cref="QuantizationMode.StaticInt8"/> picks activation ranges from the calibration data; default <see cref="CalibrationMethod.Auto"/> (MinMax for attention models, else Entropy).</summary>
    [PassOption("How activation ranges are chosen from the calibration data.")]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public CalibrationMethod CalibrationMethod { get; set; }

    /// <summary>The percentile <see cref="CalibrationMethod.Percentile"/> keeps, in (50, 100]; default 99.999.</summary>
    [PassOption("The percentile CalibrationMethod=Percentile keeps.", Min = 50, MinExclusive = true, Max = 100)]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public double Percentile { get; set; } = 99.999;

    /// <summary>The 8-bit type of quantized activations for <see cref="QuantizationMode.StaticInt8"/>; default <see cref="QuantizedActivationType.UInt8"/>.</summary>
    [PassOption("The 8-bit type of quantized activations.")]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public QuantizedActivationType ActivationType { get; set; }

    /// <summary>
    /// 7-bit weights (default <see langword="true"/>): exact on every x86 CPU. 8-bit weights can
    /// overflow ONNX Runtime's 16-bit accumulation on CPUs without VNNI; set <see langword="false"/>
    /// only for VNNI or Arm targets.
    /// </summary>
    [PassOption("7-bit weights, exact on every x86 CPU; false only for VNNI or Arm targets.")]
    [AppliesTo(QuantizationMode.DynamicInt8, QuantizationMode.StaticInt8)]
    public bool ReduceRange { get; set; } = true;

    /// <summary>One weight scale per output channel (default <see langword="true"/>) rather than per tensor; dynamic INT8.</summary>
    [PassOption("One weight scale per output channel rather than per tensor.")]
    [AppliesTo(QuantizationMode.DynamicInt8)]
    public bool PerChannel { get; set; } = true;

    /// <summary>
    /// For <see cref="QuantizationMode.DynamicInt8"/>: one activation scale per row (default
    /// <see cref="ActivationScales.PerRow"/>: a row's result does not depend on its batch-mates) or
    /// per tensor (ONNX Runtime's fused per-tensor kernel).
    /// </summary>
    [PassOption("One activation scale per row (a row's result does not depend on its batch-mates) or per tensor.")]
    [AppliesTo(QuantizationMode.DynamicInt8)]
    public ActivationScales ActivationScales { get; set; }

    /// <summary>
    /// For <see cref="QuantizationMode.DynamicInt8"/> and <see cref="QuantizationMode.StaticInt8"/>:
    /// also stores embedding tables (constant float tables read by <c>Gather</c>) as int8 with one
    /// scale per row; for <see cref="QuantizationMode.Int4"/>, as 4-bit blocks read by
    /// GatherBlockQuantized. Default <see langword="true"/>.
    /// </summary>
    [PassOption("Also store embedding tables (constant tables read by Gather) in the mode's integers: int8 rows, or 4-bit blocks for Int4.")]
    [AppliesTo(QuantizationMode.DynamicInt8, QuantizationMode.StaticInt8, QuantizationMode.Int4)]
    public bool Embeddings { get; set; } = true;

    /// <summary>Weight scales per channel or per tensor for static INT8; default <see cref="WeightGranularity.Auto"/>.</summary>
    [PassOption("Weight scales per channel, per tensor, or chosen per layer (Auto).")]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public WeightGranularity WeightGranularity { get; set; }

    /// <summary>The operator format of static INT8; default <see cref="QuantizationFormat.Qdq"/>.</summary>
    [PassOption("QDQ pairs around float operators, or quantized operators (ONNX Runtime only).", ItemMetadata = "QuantizationFormat")]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public QuantizationFormat Format { get; set; }

    /// <summary>
    /// For <see cref="QuantizationMode.StaticInt8"/>: node names left in float32, separated by
    /// <c>;</c>. [AccuracyBudget] adds to this list itself when it must revert layers.
    /// </summary>
    [PassOption("Node names left in float32, separated by ;.")]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public string? KeepFloat { get; set; }

    /// <summary>
    /// For <see cref="QuantizationMode.Float16"/>: op types or node names kept in fp32, separated by
    /// <c>;</c> (write <c>Default</c> among them to extend the built-in list of range-sensitive ops).
    /// </summary>
    [PassOption("Op types or node names kept in fp32, separated by ; (Default extends the built-in list).")]
    [AppliesTo(QuantizationMode.Float16)]
    public string? KeepFp32 { get; set; }

    /// <summary>For <see cref="QuantizationMode.Int4"/>: weights per scale, a power of two ≥ 16; default 32.</summary>
    [PassOption("Weights per scale: a power of two from 16.", Min = 16, Max = 4096, PowerOfTwo = true)]
    [AppliesTo(QuantizationMode.Int4)]
    public int BlockSize { get; set; } = 32;

    /// <summary>For <see cref="QuantizationMode.Int4"/>: symmetric blocks without zero points; default <see langword="false"/>.</summary>
    [PassOption("Symmetric blocks without zero points.")]
    [AppliesTo(QuantizationMode.Int4)]
    public bool Symmetric { get; set; }

    /// <summary>
    /// For <see cref="QuantizationMode.StaticInt8"/>: corrects each quantized Conv/Gemm's bias for the
    /// mean output shift its int8 weights cause, measured on the calibration data (one more float run).
    /// Helps most with per-tensor weights; default <see langword="false"/>.
    /// </summary>
    [PassOption("Correct quantized layers' biases for the mean shift int8 weights cause (one more float run).", ItemMetadata = "QuantizeBiasCorrection")]
    [AppliesTo(QuantizationMode.StaticInt8)]
    public bool BiasCorrection { get; set; }

    /// <summary>
    /// When <see langword="true"/>, the engine times the quantized model against the fp32 one on the
    /// build machine (ONNX Runtime, one thread, warm-up, median of alternating rounds) and keeps the
    /// quantized model only if it is clearly faster; otherwise it embeds the fp32 model (the other
    /// passes still apply) and warns with the figures (OPT1064). Default <see langword="false"/>;
    /// the project property <c>OptimizerRequireSpeedup</c> turns it on for every model.
    /// </summary>
    [PassOption("Keep the quantized model only if it is faster than fp32 on the build machine (else warn OPT1064).", IsCheck = true)]
    public bool RequireSpeedup { get; set; }
}
