namespace Optimizer.Passes;

/// <summary>Diagnostic codes for pass requests that cannot be honoured (range OPT1200–OPT1299).</summary>
public static class PassErrorCodes
{
    /// <summary>No pass has this name.</summary>
    public const string UnknownPass = "OPT1200";

    /// <summary>The pass is part of the design but not available in this version (e.g. <c>Prune</c>).</summary>
    public const string PassNotAvailable = "OPT1201";

    // OPT1202 (option value not available in this version) is retired: the pass schema lists the values that work. Do not reuse it.

    /// <summary>An option name the pass does not know, or a value it cannot parse.</summary>
    public const string InvalidOption = "OPT1203";

    /// <summary>The same pass was requested twice.</summary>
    public const string DuplicatePass = "OPT1204";

    /// <summary>Warning: a declared pass did nothing, or less than declared (<see cref="PassReport.Shortfall"/>); gives what it reached and why.</summary>
    public const string PassFellShort = "OPT1205";

    /// <summary>Static quantization has no calibration data: the <c>Calibration</c> option is missing or names no data set the caller loaded.</summary>
    public const string CalibrationDataMissing = "OPT1250";

    /// <summary>Calibration data bytes are malformed (bad <c>.npy</c> magic or header, truncated data, size not matching the declared shape).</summary>
    public const string CalibrationDataInvalid = "OPT1251";

    /// <summary>Calibration data is well formed but not supported: not little-endian float32 (<c>&lt;f4</c>) or Fortran order.</summary>
    public const string CalibrationDataNotSupported = "OPT1252";

    /// <summary>Calibration samples do not fit the model's input shape.</summary>
    public const string CalibrationShapeMismatch = "OPT1253";

    /// <summary>Static quantization needs the model run, and the caller gave no model executor.</summary>
    public const string ModelExecutorMissing = "OPT1254";

    /// <summary>Running the float model on the calibration data failed.</summary>
    public const string CalibrationRunFailed = "OPT1255";

    /// <summary>A cached calibration result cannot be read (wrong format or version); it is recomputed.</summary>
    public const string CalibrationCacheInvalid = "OPT1256";

    /// <summary>Prune Sparsity is not a number strictly between 0 and 1.</summary>
    public const string PruneSparsityOutOfRange = "OPT1230";

    /// <summary>Prune Structure is not Unstructured, Channel, NM2x4 or AttentionHead.</summary>
    public const string PruneUnknownStructure = "OPT1231";

    /// <summary>Prune Scope is not Layer or Global.</summary>
    public const string PruneUnknownScope = "OPT1232";

    /// <summary>Prune Norm is not L1 or L2.</summary>
    public const string PruneUnknownNorm = "OPT1233";

    /// <summary>A Prune Exclude entry is malformed (e.g. <c>OpType:</c> with no operator).</summary>
    public const string PruneExcludeInvalid = "OPT1234";

    /// <summary>Prune Ranking is not Lamp or Magnitude.</summary>
    public const string PruneUnknownRanking = "OPT1235";

    /// <summary>Prune <c>Calibration</c> is empty or names a data set the caller did not load.</summary>
    public const string PruneCalibrationDataMissing = "OPT1290";

    /// <summary>Bias correction must run the float model and the caller gave no model executor.</summary>
    public const string BiasCorrectionExecutorMissing = "OPT1291";

    /// <summary>Bias correction could not measure the layers' inputs (several model inputs, data not matching the input, the run failed).</summary>
    public const string BiasCorrectionFailed = "OPT1292";

    /// <summary>Ranking encoder FFN neurons and attention heads on calibration data failed (the data does not fit the model, the run failed).</summary>
    public const string PruneImportanceFailed = "OPT1293";
}
