namespace Optimizer.Build.Tasks.Diagnostics;

/// <summary>
/// Codes the task reports (OPT1001–OPT1049, see src/README.md). Each is stable: docs and users'
/// NoWarn lists refer to them, so never renumber.
/// </summary>
internal static class DiagnosticCodes
{
    /// <summary>The declared model file does not exist.</summary>
    public const string ModelNotFound = "OPT1001";

    /// <summary>An attribute argument is not a literal (constant, expression, nameof, ...).</summary>
    public const string ArgumentNotLiteral = "OPT1002";

    /// <summary>An attribute argument or item metadata has a value the attribute does not accept.</summary>
    public const string InvalidValue = "OPT1003";

    /// <summary>A number is outside the range the attribute accepts (e.g. Sparsity outside (0,1)).</summary>
    public const string ValueOutOfRange = "OPT1004";

    /// <summary>Two declarations of the same model or class disagree.</summary>
    public const string ConflictingDeclarations = "OPT1005";

    /// <summary>Pass attributes on a class that no [OnnxModel] attribute or item gives a model.</summary>
    public const string PassWithoutModel = "OPT1006";

    /// <summary>Two models would write outputs with the same name.</summary>
    public const string DuplicateOutputName = "OPT1007";

    /// <summary>A data file named by an option (Calibration, Validation, Labels) does not exist.</summary>
    public const string DataFileNotFound = "OPT1008";

    /// <summary>A pass option was given without the pass it belongs to (e.g. Calibration without Quantize).</summary>
    public const string OptionWithoutPass = "OPT1009";

    /// <summary>A source file or the model could not be read.</summary>
    public const string ReadFailed = "OPT1010";

    /// <summary>
    /// Two declarations (two classes, or a class and a ClassName item) ask for the same model with the
    /// same passes: a warning; the model is optimized and embedded once and both classes use it.
    /// </summary>
    public const string DuplicateDeclaration = "OPT1011";

    /// <summary>
    /// The project's target framework cannot use Optimizer.Runtime (net10.0 or later). Raised by the
    /// package's build targets (build/Optimizer.Build.targets), before compilation would fail with CS0246.
    /// </summary>
    public const string UnsupportedTargetFramework = "OPT1012";

    /// <summary>The engine could not be found or started.</summary>
    public const string EngineNotFound = "OPT1020";

    /// <summary>The engine failed without printing a coded error.</summary>
    public const string EngineFailed = "OPT1021";

    /// <summary>The engine exited successfully but did not write its outputs.</summary>
    public const string EngineOutputsMissing = "OPT1022";

    /// <summary>
    /// The engine ran past its wall-clock limit (OptimizerEngineTimeout, or the item's EngineTimeout
    /// metadata) and was killed with every process it started.
    /// </summary>
    public const string EngineTimedOut = "OPT1023";

    /// <summary>
    /// A declared model or data file is not a regular file the build may read: a FIFO, device,
    /// socket or folder, a path under /proc, /sys or /dev (also through a symbolic link), a file
    /// with more than one hard link, or a file over the size cap. Checked on the opened handle.
    /// </summary>
    public const string FileRefused = "OPT1024";

    /// <summary>
    /// A model declared WeightsStorage=Embedded cannot be embedded: its optimized model keeps its
    /// weights in ONNX external data, which ONNX Runtime reads only from files beside the model.
    /// </summary>
    public const string CannotEmbed = "OPT1025";
}
