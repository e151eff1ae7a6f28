using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx.Files;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Reads the data files a plan names (Calibration, Validation, Labels, training Data) as the
/// untrusted input they are: opened through <see cref="UntrustedFile"/> (no FIFO, device, /proc
/// path, hard link or oversized file is read, so <c>Calibration="/dev/zero"</c> cannot hang), parsed
/// as <c>.npy</c> or raw float32, and checked for values no model should be fed
/// (<see cref="DataValues"/>). Every refusal is a coded error naming the file and the option.
/// </summary>
internal static class DataFile
{
    /// <summary>The largest data file read: 4 GiB, the same for every option (a billion float32 values, far more than calibration or validation needs).</summary>
    public const long MaxBytes = 4L << 30;

    /// <summary>The full path of <paramref name="declared"/>, relative to the project folder (else the model's).</summary>
    public static string Resolve(OptimizationPlan plan, string declared) =>
        Path.GetFullPath(Path.Combine(plan.ProjectDirectory ?? Path.GetDirectoryName(plan.Model)!, declared));

    /// <summary>Opens the file after <see cref="UntrustedFile"/>'s checks.</summary>
    /// <param name="option">What the file is, as the user declared it, e.g. "Calibration".</param>
    /// <exception cref="EngineException">Missing (<see cref="EngineErrorCodes.DataFileNotFound"/>) or refused (<see cref="EngineErrorCodes.DataFileRefused"/>).</exception>
    public static FileStream Open(OptimizationPlan plan, string declared, string option, DiagnosticLocation? at) =>
        Open(Resolve(plan, declared), declared, option, at, MaxBytes);

    /// <summary>Opens <paramref name="path"/> (a file of a declared data folder, named <paramref name="declared"/> in messages) up to <paramref name="maxBytes"/>.</summary>
    /// <exception cref="EngineException">Missing (<see cref="EngineErrorCodes.DataFileNotFound"/>) or refused (<see cref="EngineErrorCodes.DataFileRefused"/>).</exception>
    public static FileStream Open(string path, string declared, string option, DiagnosticLocation? at, long maxBytes)
    {
        try
        {
            return UntrustedFile.OpenRead(path, maxBytes);
        }
        catch (UntrustedFileException e) when (e.Problem == UntrustedFileProblem.NotFound)
        {
            throw new EngineException(EngineErrorCodes.DataFileNotFound,
                $"The {option} file '{declared}' was not found (looked for '{path}'). Check the path; it is relative to the project folder.", at, e);
        }
        catch (UntrustedFileException e)
        {
            throw Refused(declared, option, e.FilePath, e.Reason, Advice(e.Problem), at, e);
        }
    }

    /// <summary>
    /// Reads float32 samples: <c>.npy</c> carries its shape; any other file is raw little-endian
    /// float32 shaped by <paramref name="rawShape"/> (given the byte count). Values are checked.
    /// </summary>
    public static CalibrationDataSet ReadSamples(OptimizationPlan plan, string declared, string option, DiagnosticLocation? at, Func<long, long[]> rawShape)
    {
        using var stream = Open(plan, declared, option, at);
        CalibrationDataSet set;
        try
        {
            set = declared.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)
                ? NpyParser.Parse(stream)
                : RawFloat32Parser.Parse(stream, rawShape(stream.Length));
        }
        catch (PassException e)
        {
            // The parsers know the bytes, not the file: name it, keep their code.
            throw new EngineException(e.Code, $"The {option} file '{declared}': {e.Message}", at, e);
        }
        catch (IOException e)
        {
            throw Refused(declared, option, stream.Name, $"it could not be read to the end ({e.Message})", "Check that nothing is writing it while the build runs.", at, e);
        }

        DataValues.Check(set, declared, option, at);
        return set;
    }

    /// <summary>Reads the whole file as bytes (small files such as labels), after the same checks.</summary>
    public static byte[] ReadAllBytes(OptimizationPlan plan, string declared, string option, DiagnosticLocation? at) =>
        ReadAllBytes(Open(plan, declared, option, at), declared, option, at);

    /// <summary>Reads the whole of <paramref name="path"/> (a file of a declared data folder) up to <paramref name="maxBytes"/>, after the same checks.</summary>
    public static byte[] ReadAllBytes(string path, string declared, string option, DiagnosticLocation? at, long maxBytes) =>
        ReadAllBytes(Open(path, declared, option, at, maxBytes), declared, option, at);

    private static byte[] ReadAllBytes(FileStream opened, string declared, string option, DiagnosticLocation? at)
    {
        using var stream = opened;
        if (stream.Length > Array.MaxLength)
        {
            throw Refused(declared, option, stream.Name, $"it is {stream.Length} bytes, more than one array holds", "Use a smaller file.", at, null);
        }

        var bytes = new byte[stream.Length];
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (IOException e)
        {
            throw Refused(declared, option, stream.Name, $"it could not be read to the end ({e.Message})", "Check that nothing is writing it while the build runs.", at, e);
        }

        return bytes;
    }

    private static EngineException Refused(string declared, string option, string path, string reason, string advice, DiagnosticLocation? at, Exception? inner) =>
        new(EngineErrorCodes.DataFileRefused,
            $"The {option} file '{declared}'{(declared == path ? "" : $" ('{path}')")} cannot be used: {reason}.{(advice.Length == 0 ? "" : " " + advice)}", at, inner);

    private static string Advice(UntrustedFileProblem problem) => problem switch
    {
        UntrustedFileProblem.NotRegular or UntrustedFileProblem.SystemPath =>
            "Point the option at a regular data file (.npz, .npy, raw float32) or a folder of test_data_set_* feeds, not a device, pipe or system path.",
        UntrustedFileProblem.HardLinked => "", // the reason says to copy it
        UntrustedFileProblem.TooLarge => $"Data files are read up to {MaxBytes >> 30} GiB; use a sample of the data (a few hundred to a few thousand samples are enough for calibration and validation).",
        _ => "Check that the file exists and is readable by the build.",
    };
}
