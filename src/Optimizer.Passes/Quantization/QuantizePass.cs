using Optimizer.Passes.Calibration;
using Optimizer.Passes.Schema;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// The <c>Quantize</c> request: picks the pass for its <c>Mode</c>. Float16 is a mode of Quantize
/// rather than a pass of its own because the modes exclude each other (one numeric format per
/// model), and the pipeline's one-request-per-pass rule then enforces that. Which options each
/// mode takes is declared on <see cref="QuantizeAttribute"/> ([AppliesTo]); the schema has checked
/// them before this runs.
/// </summary>
internal static class QuantizePass
{
    public static string Name => PassSchema.Quantize.Name;

    public static IModelPass Create(IReadOnlyDictionary<string, string> options) => Create(options, PassContext.Empty);

    public static IModelPass Create(IReadOnlyDictionary<string, string> options, PassContext context) =>
        Create(OptionBinder.Bind<QuantizeAttribute>(options), context);

    /// <param name="options">The request's options, validated by the schema.</param>
    /// <param name="context">Calibration data and the executor (static INT8).</param>
    public static IModelPass Create(QuantizeAttribute options, PassContext context) => options.Mode switch
    {
        QuantizationMode.StaticInt8 => new StaticInt8Quantization(StaticOptions(options), context),
        QuantizationMode.Float16 => new Precision.Float16Conversion(Precision.Float16Conversion.ParseKeepList(options.KeepFp32)),
        QuantizationMode.Int4 => new Int4WeightQuantization(options.BlockSize, options.Symmetric, options.Embeddings),
        _ => new DynamicInt8Quantization(options.PerChannel, options.ReduceRange, options.ActivationScales, options.Embeddings),
    };

    private static StaticInt8Options StaticOptions(QuantizeAttribute options)
    {
        var calibration = options.Calibration is { Length: > 0 } path ? path
            : throw new PassException(PassErrorCodes.CalibrationDataMissing,
                "Quantize Mode=StaticInt8 needs calibration data: set Calibration to a .npy file (or raw float32 with a declared shape) of representative inputs.", Name);
        return new StaticInt8Options(calibration, new CalibrationSettings(options.CalibrationMethod, options.Percentile), options.ActivationType,
            options.ReduceRange, options.BiasCorrection, options.WeightGranularity, options.Format)
        {
            KeepFloat = QdqPlanner.ParseKeepFloat(options.KeepFloat),
            Embeddings = options.Embeddings,
        };
    }
}
