using Optimizer.Onnx.Files;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// The rules for files a project declares (models and Calibration/Validation/Labels data): only
/// regular files, opened through <see cref="UntrustedFile"/>, so that `[OnnxModel("/dev/zero")]`
/// or a FIFO can neither hang the build nor be read. Paths outside the project stay allowed:
/// shared model folders are common.
/// </summary>
internal static class DeclaredFile
{
    /// <summary>Protobuf's own limit on one message (2 GiB − 1), as the engine's loader applies it.</summary>
    public const long MaxModelBytes = int.MaxValue;

    /// <summary>Calibration, validation and label data; generous, but a bound on what the build hashes.</summary>
    public const long MaxDataBytes = 16L << 30;

    /// <summary>Why <paramref name="fullPath"/> cannot be used, or null when it is a readable regular file.</summary>
    public static UntrustedFileException? Refusal(string fullPath, long maxBytes)
    {
        try
        {
            using (UntrustedFile.OpenRead(fullPath, maxBytes))
            {
                return null;
            }
        }
        catch (UntrustedFileException e)
        {
            return e;
        }
    }

    /// <summary>What to do about a refused file, for the end of an OPT1024 message.</summary>
    public static string Advice(UntrustedFileProblem problem) => problem switch
    {
        UntrustedFileProblem.TooLarge => "Keep large weights in ONNX external data, or split the data file.",
        UntrustedFileProblem.HardLinked => "Copy the file into place instead of hard-linking it.",
        _ => "Declare a regular file (data may also be a folder of ONNX test_data_set_*/input_<i>.pb feeds): devices, pipes, sockets, other folders and /proc, /sys or /dev paths are refused so the build can neither hang nor read what is not a model or data file.",
    };
}
