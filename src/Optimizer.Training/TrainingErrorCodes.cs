namespace Optimizer.Training;

/// <summary>
/// Codes training reports (OPT1071–OPT1079, inside the engine's range; docs/diagnostics.md lists
/// them). OPT1070, the package not referenced, is the engine's: only the engine can see it missing.
/// Never renumber.
/// </summary>
public static class TrainingErrorCodes
{
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
