namespace Optimizer.Engine.Diagnostics;

/// <summary>
/// Codes the engine itself reports (OPT1050–OPT1099 but training's OPT1071–OPT1079; docs/diagnostics.md
/// says what each means and what to do). Never renumber; a retired code is never reused.
/// </summary>
public static class EngineErrorCodes
{
    /// <summary>Unknown command or missing argument.</summary>
    public const string Usage = "OPT1050";

    /// <summary>The plan file does not exist or cannot be read.</summary>
    public const string PlanNotReadable = "OPT1051";

    /// <summary>The plan is not valid JSON or lacks a required field.</summary>
    public const string PlanInvalid = "OPT1052";

    /// <summary>The plan was written for another format version (task and engine from different packages).</summary>
    public const string PlanVersionUnsupported = "OPT1053";

    /// <summary>The outputs could not be written.</summary>
    public const string WriteFailed = "OPT1054";

    /// <summary>A data file a pass option names (e.g. Calibration) does not exist.</summary>
    public const string DataFileNotFound = "OPT1055";

    /// <summary>A data file cannot be read as the pass needs it (e.g. raw float32 of the wrong size).</summary>
    public const string DataFileUnsupported = "OPT1056";

    // OPT1057 (AccuracyBudget not enforced) is retired: the budget is enforced (OPT1060–OPT1063). Do not reuse it.

    // OPT1058 (RequireSpeedup not enforced) is retired: the gate is enforced (OPT1064, OPT1065). Do not reuse it.

    /// <summary>
    /// Error: a data file (calibration, validation, labels, training data) holds NaN or infinite
    /// values, or only zeros and denormals; the message names the file and the first bad sample and element.
    /// </summary>
    public const string DataFileValuesInvalid = "OPT1059";

    /// <summary>Error: the optimized model is not loadable by ONNX Runtime (the generated class would fail at run time); gives ONNX Runtime's message.</summary>
    public const string OptimizedModelNotRunnable = "OPT1068";

    /// <summary>Error: the input model itself is not loadable by ONNX Runtime, so it cannot be optimized, verified or run; gives ONNX Runtime's message.</summary>
    public const string InputModelNotRunnable = "OPT1069";

    /// <summary>Error: the optimized model's accuracy drop exceeds [AccuracyBudget] MaxDrop, even with quantized layers reverted to float32.</summary>
    public const string AccuracyBudgetExceeded = "OPT1060";

    /// <summary>Warning: quantized layers were kept in float32 to hold [AccuracyBudget]; names them.</summary>
    public const string LayersKeptInFloat = "OPT1061";

    /// <summary>The original and optimized models could not be run and compared (an error with [AccuracyBudget], else a warning).</summary>
    public const string VerificationFailed = "OPT1062";

    /// <summary>Warning: a lossy pass (Prune, Quantize, FineTune/Distill) was verified only on generated inputs; gives the estimate.</summary>
    public const string FidelityEstimated = "OPT1086";

    /// <summary>[AccuracyBudget] has an unknown option or a MaxDrop outside [0, 1), or Labels without Validation.</summary>
    public const string AccuracyBudgetInvalid = "OPT1063";

    /// <summary>Warning: Quantize RequireSpeedup timed the quantized model and it was not faster than float32, so the float32 model was kept; gives the figures.</summary>
    public const string QuantizedNotFaster = "OPT1064";

    /// <summary>Models could not be timed (ONNX Runtime refused one, or an input cannot be generated): an error when Quantize RequireSpeedup is declared, and from the CLI's bench/report --bench.</summary>
    public const string SpeedupNotMeasured = "OPT1065";

    /// <summary>Warning: a declared quantization (without RequireSpeedup) was timed by default against float32 and is slower on this machine; it is kept, with both latencies and the shapes timed.</summary>
    public const string QuantizedSlower = "OPT1090";

    /// <summary>Warning: the default speed check of a declared quantization could not time the models; the quantized model is kept without it.</summary>
    public const string QuantizedNotTimed = "OPT1091";

    // OPT1066 (a command line value out of range) is retired: it was never reported; onnx-opt reports OPT1050. Do not reuse it.

    /// <summary>The command line tool: <c>verify --max-drop</c> or <c>--min-cosine</c> was exceeded (the comparison ran; the optimized model is worse than allowed).</summary>
    public const string VerifyBudgetExceeded = "OPT1067";

    /// <summary>
    /// Error: a data file was refused before reading: a FIFO, device, socket, folder, a path under
    /// /proc, /sys or /dev, a file with more than one hard link, or one larger than <see cref="DataFiles.DataFile.MaxBytes"/> (4 GiB).
    /// (Not OPT1058: that number is retired.) OPT1080 (engine crashed) is <see cref="Supervision.EngineCrash.Code"/>.
    /// </summary>
    public const string DataFileRefused = "OPT1081";

    /// <summary>Error: ONNX Runtime's native library could not be loaded, so the models cannot be checked or verified (the app would not run them either).</summary>
    public const string OnnxRuntimeUnavailable = "OPT1082";

    /// <summary>
    /// Error: a data set (.npz, test_data_set folders, .npy) does not fit the model's inputs: an input
    /// without data, an array or tensor that is no input, a wrong rank, shape or element type (lossy
    /// conversions are refused), sample counts that differ between arrays, no samples, or .npy/raw data
    /// for a model with more than one input.
    /// </summary>
    public const string DataDoesNotFitModel = "OPT1083";

    /// <summary>Error: <c>[SymbolicDims]</c> (item metadata SymbolicDims, the CLI's <c>--dim</c>) is not <c>name=size</c> pairs with sizes 1 to 1,000,000.</summary>
    public const string SymbolicDimsInvalid = "OPT1084";

    /// <summary>Error: no data is declared and an input's values cannot be generated (a string, sequence or map input, or one of unknown rank).</summary>
    public const string InputNotGeneratable = "OPT1085";

    /// <summary>Error: a model past 2 GiB (or keeping weights in its data files) asks for a step that needs it in memory several times (training, [AccuracyBudget], RequireSpeedup, StaticInt8 calibration).</summary>
    public const string LargeModelUnsupported = "OPT1087";

    /// <summary>[FineTune] or [Distill] is declared but the Optimizer.Training package is not referenced (or not restored). OPT1071–OPT1079 are training's own (Optimizer.Training's TrainingErrorCodes).</summary>
    public const string TrainingPackageMissing = "OPT1070";

    /// <summary>Anything unexpected: a bug in the engine or a pass.</summary>
    public const string Unexpected = "OPT1099";
}
