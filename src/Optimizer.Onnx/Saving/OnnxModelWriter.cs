using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>Serializes models: deterministic bytes, atomic file writes, external data past 2 GiB.</summary>
public static class OnnxModelWriter
{
    private const long ProtobufLimit = int.MaxValue - 64;

    /// <summary>
    /// The model as ONNX protobuf bytes. Deterministic: the same model gives the same bytes.
    /// Tensor data that was external when loaded is written inline.
    /// </summary>
    /// <exception cref="OnnxFormatException">The model exceeds protobuf's 2 GiB limit (<see cref="OnnxErrorCodes.ModelTooLargeToWrite"/>).</exception>
    public static byte[] ToBytes(OnnxModel model) => Inline(model).ToByteArray();

    /// <summary>
    /// Whether <see cref="Save(OnnxModel, string, ExternalDataOptions)"/> with <paramref name="options"/> writes
    /// external data for <paramref name="model"/>.
    /// </summary>
    public static bool WritesExternalData(OnnxModel model, ExternalDataOptions? options = null)
    {
        options ??= ExternalDataOptions.Default;
        return options.Mode switch
        {
            ExternalDataMode.Always => true,
            ExternalDataMode.Never => false,
            _ => model.LoadedWithExternalData || Size(model.ToProto()) > options.MaxInlineModelBytes,
        };
    }

    /// <summary>The model's proto with every tensor's bytes inline, once it is known to fit in one protobuf.</summary>
    private static ModelProto Inline(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = model.ToProto();
        CheckFits(Size(proto), model.SourcePath);
        foreach (var tensor in ModelWalker.Tensors(proto))
        {
            if (ExternalTensorReference.Of(tensor) is { } reference)
            {
                // The model's own tensor takes the bytes: it is read from its file once, not once per call.
                tensor.RawData = UnsafeByteOperations.UnsafeWrap(reference.ReadAll());
                tensor.ExternalData.Clear();
                tensor.ClearDataLocation();
            }
        }

        return proto;
    }

    /// <summary>The protobuf's size with every tensor that stays in its file counted inline.</summary>
    private static long Size(ModelProto proto)
    {
        try
        {
            return proto.CalculateSize() + ModelWalker.Tensors(proto).Sum(t => ExternalTensorReference.Of(t)?.Length ?? 0);
        }
        catch (Exception e) when (e is OverflowException or InvalidOperationException)
        {
            return long.MaxValue;
        }
    }

    private static void CheckFits(long size, string? sourcePath)
    {
        if (size < 0 || size > ProtobufLimit)
        {
            throw new OnnxFormatException(OnnxErrorCodes.ModelTooLargeToWrite,
                "The model is larger than the 2 GiB a single ONNX protobuf can hold. Save it to a file (OnnxModelWriter.Save writes its " +
                "weights as external data beside it), or reduce its size (e.g. quantize it).", sourcePath);
        }
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> through a temporary file in the same folder
    /// that is then moved into place, so readers never see a half-written file. External data is
    /// chosen as <see cref="ExternalDataOptions.Default"/> says.
    /// </summary>
    /// <exception cref="OnnxFormatException">Serializing or writing failed (<see cref="OnnxErrorCodes.WriteFailed"/>).</exception>
    public static void Save(OnnxModel model, string path) => Save(model, path, ExternalDataOptions.Default);

    /// <summary>
    /// Writes the model to <paramref name="path"/>, with its large tensors in <c>&lt;file name&gt;.data</c> beside it
    /// when <paramref name="options"/> say so. Both files are written to temporary names and flushed before either
    /// is moved into place (the data file first), so a failure never leaves a half-written pair. Returns the data
    /// file's path, or null when everything is inline.
    /// </summary>
    /// <exception cref="OnnxFormatException">Serializing or writing failed (<see cref="OnnxErrorCodes.WriteFailed"/>), or
    /// the inline part is still over 2 GiB (<see cref="OnnxErrorCodes.ModelTooLargeToWrite"/>).</exception>
    public static string? Save(OnnxModel model, string path, ExternalDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var external = WritesExternalData(model, options);
        var proto = external ? model.ToProto() : Inline(model);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var dataPath = Path.Combine(directory, ExternalDataOptions.DataFileName(fullPath));
        var temporary = Temporary(fullPath);
        var temporaryData = external ? Temporary(dataPath) : null;
        try
        {
            Directory.CreateDirectory(directory);
            var moved = 0;
            if (temporaryData is not null)
            {
                using var data = new FileStream(temporaryData, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                moved = ExternalDataWriter.MoveTensors(proto, data, Path.GetFileName(dataPath), options);
                data.Flush(flushToDisk: true);
            }

            CheckFits(proto.CalculateSize(), model.SourcePath);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                // Streamed: the tensors' bytes go to the file without a second copy of the whole model in memory.
                proto.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }

            if (moved > 0)
            {
                File.Move(temporaryData!, dataPath, overwrite: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
            return moved > 0 ? dataPath : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxFormatException(OnnxErrorCodes.WriteFailed,
                $"Could not write the model to '{fullPath}': {e.Message} Check that the folder exists, is writable and has free space.",
                fullPath, e);
        }
        finally
        {
            TryDelete(temporary);
            if (temporaryData is not null)
            {
                TryDelete(temporaryData);
            }
        }
    }

    private static string Temporary(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
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
