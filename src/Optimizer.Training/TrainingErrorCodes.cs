namespace Optimizer.Training;

/// <summary>
/// Codes training reports (the engine's range OPT1070–OPT1079, mirrored in the engine's
/// EngineErrorCodes). Never renumber.
/// </summary>
public static class TrainingErrorCodes
{
    /// <summary>A training pass is declared but the Optimizer.Training package is not referenced (reported by the engine).</summary>
    public const string PackageMissing = "OPT1070";

    /// <summary>The model uses an operator (or an attribute value) training cannot convert.</summary>
    public const string UnsupportedOperator = "OPT1071";

    /// <summary>A training option is invalid, or [Distill] is declared without [FineTune].</summary>
    public const string InvalidOption = "OPT1072";

    /// <summary>Training data cannot be used: sample shape does not fit the input, labels count differs, labels out of range.</summary>
    public const string DataInvalid = "OPT1073";

    /// <summary>libtorch or TorchSharp's native library is missing from the restored packages.</summary>
    public const string NativeLibraryMissing = "OPT1074";

    /// <summary>libtorch or TorchSharp's native library is present but cannot be loaded.</summary>
    public const string NativeLibraryLoadFailed = "OPT1075";

    /// <summary>Training diverged (the loss became NaN or infinite).</summary>
    public const string Diverged = "OPT1076";
}
