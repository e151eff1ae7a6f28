using Optimizer.Engine.Diagnostics;
using Optimizer.Passes;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// A declared data set as messages name it (the option, the path as declared, the declaration),
/// and the coded errors about it, so every refusal starts the same way and points at the same line.
/// </summary>
/// <param name="Option">What the data is, as the user declared it, e.g. "Calibration".</param>
/// <param name="Declared">The path as declared.</param>
/// <param name="At">The declaration.</param>
/// <param name="Kind">"file", or "folder" for test_data_set folders.</param>
internal sealed record DataSubject(string Option, string Declared, DiagnosticLocation? At, string Kind = "file")
{
    /// <summary>The start of every message, e.g. <c>The Calibration file 'calib.npz'</c>.</summary>
    public string Name => $"The {Option} {Kind} '{Declared}'";

    /// <summary>The data does not fit the model's inputs (<see cref="EngineErrorCodes.DataDoesNotFitModel"/>).</summary>
    public EngineException DoesNotFit(string problem, string advice) =>
        new(EngineErrorCodes.DataDoesNotFitModel, $"{Name} {problem}. {advice}", At);

    /// <summary>The bytes are malformed (<see cref="PassErrorCodes.CalibrationDataInvalid"/>, as for a malformed .npz).</summary>
    public EngineException Malformed(string problem, string advice, Exception? inner = null) =>
        new(PassErrorCodes.CalibrationDataInvalid, $"{Name} {problem}. {advice}", At, inner);

    /// <summary>Well formed but of a kind not read (<see cref="PassErrorCodes.CalibrationDataNotSupported"/>).</summary>
    public EngineException Unsupported(string problem, string advice) =>
        new(PassErrorCodes.CalibrationDataNotSupported, $"{Name} {problem}. {advice}", At);

    /// <summary>Refused before reading: too many files, too large (<see cref="EngineErrorCodes.DataFileRefused"/>).</summary>
    public EngineException Refused(string problem, string advice) =>
        new(EngineErrorCodes.DataFileRefused, $"{Name} cannot be used: {problem}. {advice}", At);
}
