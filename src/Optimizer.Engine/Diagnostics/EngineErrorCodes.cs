namespace Optimizer.Engine.Diagnostics;

/// <summary>Codes the engine itself reports (OPT1050–OPT1099, see src/README.md). Never renumber.</summary>
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

    /// <summary>Warning: Quantize's RequireSpeedup is declared but this version does not enforce it yet.</summary>
    public const string SpeedupNotEnforced = "OPT1058";

    /// <summary>Error: the optimized model's accuracy drop exceeds [AccuracyBudget] MaxDrop, even with quantized layers reverted to float32.</summary>
    public const string AccuracyBudgetExceeded = "OPT1060";

    /// <summary>Warning: quantized layers were kept in float32 to hold [AccuracyBudget]; names them.</summary>
    public const string LayersKeptInFloat = "OPT1061";

    /// <summary>The original and optimized models could not be run and compared (an error with [AccuracyBudget], else a warning).</summary>
    public const string VerificationFailed = "OPT1062";

    /// <summary>[AccuracyBudget] has an unknown option or a MaxDrop outside [0, 1), or Labels without Validation.</summary>
    public const string AccuracyBudgetInvalid = "OPT1063";

    /// <summary>Anything unexpected: a bug in the engine or a pass.</summary>
    public const string Unexpected = "OPT1099";
}
