using System.Globalization;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Optimizer.Onnx.Files;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Reads tensors stored outside the model file into <c>raw_data</c>, refusing any location
/// that could reach outside the model's folder: the path must be relative, free of <c>..</c>,
/// resolve under the folder, and pass through no symbolic link or reparse point; the file must be
/// a regular file with one hard link (<see cref="UntrustedFile"/>).
/// </summary>
/// <remarks>
/// Every region is checked before any byte is read: in range, the size the tensor needs, no two
/// regions overlapping (so the total never exceeds what the files hold), and the total within
/// <see cref="ModelLoadLimits.MaxExternalDataBytes"/>. Each region is then read once, straight into
/// the array the tensor keeps: peak memory is the data itself.
/// </remarks>
internal sealed class ExternalDataResolver(string? baseDirectory, string? modelPath, ModelLoadLimits limits)
{
    public void ResolveAll(ModelProto model)
    {
        var tensors = ModelWalker.Tensors(model)
            .Where(t => t.HasDataLocation && t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        if (tensors.Count == 0)
        {
            return;
        }

        var files = new Dictionary<string, FileStream>(StringComparer.Ordinal);
        try
        {
            var regions = tensors.Select(t => Locate(t, files)).ToList();
            new ExternalDataRegions(modelPath, limits).Check(regions);
            foreach (var region in regions)
            {
                Read(region, files[region.FullPath].SafeFileHandle);
            }
        }
        finally
        {
            foreach (var stream in files.Values)
            {
                stream.Dispose();
            }
        }
    }

    private ExternalDataRegion Locate(TensorProto tensor, Dictionary<string, FileStream> files)
    {
        if (baseDirectory is null)
        {
            throw Error(OnnxErrorCodes.ExternalDataWithoutDirectory, tensor,
                "stores its data in an external file, but the model was loaded from bytes without a base directory. " +
                "Load it from its file, or pass the folder that holds its data files");
        }

        var entries = tensor.ExternalData.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var location = entries.GetValueOrDefault("location") ?? "";
        var fullPath = ResolveLocation(tensor, location);
        if (!files.TryGetValue(fullPath, out var file))
        {
            try
            {
                file = UntrustedFile.OpenRead(fullPath, limits.MaxExternalDataBytes);
            }
            catch (UntrustedFileException e)
            {
                throw RefusedFile.ForExternalData(e, tensor.Name, location, limits, modelPath);
            }

            files[fullPath] = file;
        }

        var fileLength = file.Length;
        var offset = ParseNumber(tensor, entries, "offset") ?? 0;
        var length = ParseNumber(tensor, entries, "length") ?? fileLength - offset;
        if (offset > fileLength || length < 0 || length > fileLength - offset)
        {
            throw Error(OnnxErrorCodes.ExternalDataRangeInvalid, tensor,
                $"asks for {length} bytes at offset {offset} of '{location}', which has {fileLength} bytes. Re-export the model with its data file");
        }

        var type = (TensorElementType)tensor.DataType;
        var elementCount = TensorData.ElementCount(tensor);
        var expected = elementCount < 0 ? -1 : type.RawByteCount(elementCount);
        if (type.BitsPerElement() > 0 && length != expected)
        {
            throw Error(OnnxErrorCodes.ExternalDataRangeInvalid, tensor,
                $"declares {length} bytes in '{location}' but its type and dimensions need {expected}. Re-export the model with its data file");
        }

        if (length > Array.MaxLength)
        {
            throw Error(OnnxErrorCodes.ExternalDataTooLarge, tensor,
                $"takes {length} bytes of '{location}', more than one tensor can hold in memory ({Array.MaxLength} bytes). Split the tensor or store it another way");
        }

        return new ExternalDataRegion(tensor, location, fullPath, offset, length);
    }

    private void Read(ExternalDataRegion region, SafeFileHandle handle)
    {
        var buffer = new byte[region.Length];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(filled), region.Offset + filled);
            if (n == 0)
            {
                throw Error(OnnxErrorCodes.ExternalDataRangeInvalid, region.Tensor,
                    $"has its data in '{region.Location}', which became shorter while it was read. Do not change data files during a build");
            }

            filled += n;
        }

        // The tensor keeps this array itself: ByteString.CopyFrom would hold the data twice.
        region.Tensor.RawData = UnsafeByteOperations.UnsafeWrap(buffer);
        region.Tensor.ExternalData.Clear();
        region.Tensor.ClearDataLocation();
    }

    private string ResolveLocation(TensorProto tensor, string location)
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

        return full;
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
