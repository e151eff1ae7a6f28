using Optimizer.Onnx.Files;

namespace Optimizer.Onnx;

/// <summary>Turns an <see cref="UntrustedFileException"/> into the loader's coded error for the model or a data file.</summary>
internal static class RefusedFile
{
    /// <summary>The model file itself was refused.</summary>
    public static OnnxFormatException ForModel(UntrustedFileException e, ModelLoadLimits limits) => e.Problem switch
    {
        UntrustedFileProblem.NotFound => new(OnnxErrorCodes.FileNotReadable,
            $"The model file '{e.FilePath}' does not exist. Check the path (relative paths are resolved against the project folder).", e.FilePath, e),
        UntrustedFileProblem.TooLarge => new(OnnxErrorCodes.ModelTooLarge,
            $"The model file '{e.FilePath}' cannot be used: {e.Reason}. {LimitAdvice.MaxModelBytes(limits.MaxModelBytes)}", e.FilePath, e),
        UntrustedFileProblem.Unreadable => new(OnnxErrorCodes.FileNotReadable,
            $"The model file '{e.FilePath}' cannot be read: {e.Reason}. Check that it exists and is readable.", e.FilePath, e),
        _ => new(OnnxErrorCodes.FileNotRegular,
            $"The model file '{e.FilePath}' cannot be used: {e.Reason}.{Advice(e.Problem)}", e.FilePath, e),
    };

    /// <summary>The external-data file of <paramref name="tensorName"/> was refused.</summary>
    public static OnnxFormatException ForExternalData(UntrustedFileException e, string tensorName, string location, ModelLoadLimits limits, string? modelPath) =>
        e.Problem switch
        {
            UntrustedFileProblem.NotFound => new(OnnxErrorCodes.ExternalDataMissing,
                $"Tensor '{tensorName}' has its data in '{location}', which does not exist ('{e.FilePath}'). Copy the model together with its data files.",
                modelPath, e),
            UntrustedFileProblem.Unreadable => new(OnnxErrorCodes.ExternalDataMissing,
                $"Tensor '{tensorName}' has its data in '{location}', which cannot be read: {e.Reason}. Check that the data file is readable.", modelPath, e),
            UntrustedFileProblem.TooLarge => new(OnnxErrorCodes.ExternalDataTooLarge,
                $"Tensor '{tensorName}' has its data in '{location}', which cannot be used: {e.Reason}. {LimitAdvice.MaxExternalDataBytes(limits.MaxExternalDataBytes)}",
                modelPath, e),
            _ => new(OnnxErrorCodes.FileNotRegular,
                $"Tensor '{tensorName}' has its data in '{location}' ('{e.FilePath}'), which cannot be used: {e.Reason}.{Advice(e.Problem)}", modelPath, e),
        };

    // What to do, where the reason does not say it already (a hard link's reason says to copy the file).
    private static string Advice(UntrustedFileProblem problem) => problem switch
    {
        UntrustedFileProblem.HardLinked => "",
        UntrustedFileProblem.SystemPath => " Point at a model or data file, not a device or a file of the kernel.",
        _ => " Point at a regular file (not a pipe, device, socket or folder).",
    };
}
