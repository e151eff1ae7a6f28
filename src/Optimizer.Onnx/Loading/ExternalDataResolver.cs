using System.Globalization;
using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Reads tensors stored outside the model file into <c>raw_data</c>, refusing any location
/// that could reach outside the model's folder: the path must be relative, free of <c>..</c>,
/// resolve under the folder, and pass through no symbolic link or reparse point.
/// </summary>
internal sealed class ExternalDataResolver(string? baseDirectory, string? modelPath, ModelLoadLimits limits)
{
    private long _bytesRead;

    public void ResolveAll(ModelProto model)
    {
        foreach (var tensor in ModelWalker.Tensors(model))
        {
            if (tensor.HasDataLocation && tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                Resolve(tensor);
            }
        }
    }

    private void Resolve(TensorProto tensor)
    {
        if (baseDirectory is null)
        {
            throw Error(OnnxErrorCodes.ExternalDataWithoutDirectory, tensor,
                "stores its data in an external file, but the model was loaded from bytes without a base directory. " +
                "Load it from its file, or pass the folder that holds its data files");
        }

        var entries = tensor.ExternalData.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var location = entries.GetValueOrDefault("location") ?? "";
        var file = ResolveLocation(tensor, location);
        var fileLength = file.Length;
        var offset = ParseNumber(tensor, entries, "offset") ?? 0;
        var length = ParseNumber(tensor, entries, "length") ?? fileLength - offset;
        if (offset > fileLength || length < 0 || length > fileLength - offset)
        {
            throw Error(OnnxErrorCodes.ExternalDataRangeInvalid, tensor,
                $"asks for {length} bytes at offset {offset} of '{location}', which has {fileLength} bytes. Re-export the model with its data file");
        }

        var elementCount = TensorData.ElementCount(tensor);
        var expected = elementCount < 0 ? -1 : ((TensorElementType)tensor.DataType).RawByteCount(elementCount);
        if (((TensorElementType)tensor.DataType).BitsPerElement() > 0 && length != expected)
        {
            throw Error(OnnxErrorCodes.ExternalDataRangeInvalid, tensor,
                $"declares {length} bytes in '{location}' but its type and dimensions need {expected}. Re-export the model with its data file");
        }

        _bytesRead += length;
        if (_bytesRead > limits.MaxExternalDataBytes || length > int.MaxValue)
        {
            throw Error(OnnxErrorCodes.ExternalDataTooLarge, tensor,
                $"brings external data past the limit of {limits.MaxExternalDataBytes} bytes (or one tensor past 2 GiB). Raise ModelLoadLimits.MaxExternalDataBytes if the model is trusted");
        }

        var buffer = new byte[length];
        using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            stream.Seek(offset, SeekOrigin.Begin);
            stream.ReadExactly(buffer);
        }

        tensor.RawData = ByteString.CopyFrom(buffer);
        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
    }

    private FileInfo ResolveLocation(TensorProto tensor, string location)
    {
        var segments = location.Split('/', '\\');
        if (location.Length == 0 || Path.IsPathRooted(location) || location.Contains(':') || location.Contains('\0')
            || segments.Any(s => s == ".."))
        {
            throw Error(OnnxErrorCodes.ExternalDataPathInvalid, tensor,
                $"has external-data location '{location}', which is empty, absolute or climbs with '..'. " +
                "Data files must sit in the model's folder or below it, named by a relative path");
        }

        var root = Path.GetFullPath(baseDirectory!);
        var full = Path.GetFullPath(Path.Combine(root, Path.Combine(segments)));
        var rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw Error(OnnxErrorCodes.ExternalDataOutsideModelFolder, tensor,
                $"has external-data location '{location}', which resolves outside the model's folder '{root}'. Move the data file next to the model");
        }

        // Every step below the model folder must be a real directory or file, never a link.
        var current = root;
        foreach (var segment in segments.Where(s => s.Length > 0 && s != "."))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (!info.Exists)
            {
                throw Error(OnnxErrorCodes.ExternalDataMissing, tensor,
                    $"has its data in '{location}', which does not exist in '{root}'. Copy the model together with its data files");
            }

            if (info.LinkTarget is not null || info.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                throw Error(OnnxErrorCodes.ExternalDataThroughLink, tensor,
                    $"has external-data location '{location}', which passes through the link '{current}'. Replace the link with the real file");
            }
        }

        var file = new FileInfo(full);
        if (!file.Exists)
        {
            throw Error(OnnxErrorCodes.ExternalDataMissing, tensor,
                $"has its data in '{location}', which is not a regular file. Copy the model together with its data files");
        }

        return file;
    }

    private long? ParseNumber(TensorProto tensor, Dictionary<string, string> entries, string key)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(OnnxErrorCodes.ExternalDataRangeInvalid, tensor,
                $"has external-data {key} '{text}', which is not a non-negative integer. Re-export the model");
        }

        return value;
    }

    private OnnxFormatException Error(string code, TensorProto tensor, string problem) =>
        new(code, $"Tensor '{tensor.Name}' {problem}.", modelPath);
}
