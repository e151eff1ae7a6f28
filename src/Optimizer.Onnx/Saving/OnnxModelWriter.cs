using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>Serializes models: deterministic bytes, atomic file writes.</summary>
public static class OnnxModelWriter
{
    /// <summary>
    /// The model as ONNX protobuf bytes. Deterministic: the same model gives the same bytes.
    /// Tensor data that was external when loaded is written inline.
    /// </summary>
    /// <exception cref="OnnxFormatException">The model exceeds protobuf's 2 GiB limit (<see cref="OnnxErrorCodes.ModelTooLargeToWrite"/>).</exception>
    public static byte[] ToBytes(OnnxModel model) => Serializable(model).ToByteArray();

    /// <summary>The model's proto, once it is known to fit in one protobuf.</summary>
    private static ModelProto Serializable(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = model.ToProto();
        long size;
        try
        {
            size = proto.CalculateSize();
        }
        catch (Exception e) when (e is OverflowException or InvalidOperationException)
        {
            size = long.MaxValue;
        }

        if (size < 0 || size > int.MaxValue - 64)
        {
            throw new OnnxFormatException(OnnxErrorCodes.ModelTooLargeToWrite,
                "The model is larger than the 2 GiB a single ONNX protobuf can hold. Reduce its size (e.g. quantize it) before writing.",
                model.SourcePath);
        }

        return proto;
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> through a temporary file in the same folder
    /// that is then moved into place, so readers never see a half-written file.
    /// </summary>
    /// <exception cref="OnnxFormatException">Serializing or writing failed (<see cref="OnnxErrorCodes.WriteFailed"/>).</exception>
    public static void Save(OnnxModel model, string path)
    {
        var proto = Serializable(model);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                // Streamed: the tensors' bytes go to the file without a second copy of the whole model in memory.
                proto.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new OnnxFormatException(OnnxErrorCodes.WriteFailed,
                $"Could not write the model to '{fullPath}': {e.Message} Check that the folder exists, is writable and has free space.",
                fullPath, e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is harmless and named as such.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
