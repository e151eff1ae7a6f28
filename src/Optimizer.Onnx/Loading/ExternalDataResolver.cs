using System.Globalization;
using System.IO.MemoryMappedFiles;
using Google.Protobuf;
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
/// <see cref="ModelLoadLimits.MaxExternalDataBytes"/>. Nothing is then copied: a region below
/// <see cref="ModelLoadLimits.InMemoryTensorBytes"/> becomes <c>raw_data</c> over a memory-mapped view
/// (<see cref="MappedRegion"/>), a larger one stays an <see cref="ExternalTensorReference"/> read in blocks,
/// so a model of any size loads in about the memory of its graph.
/// </remarks>
internal sealed class ExternalDataResolver(string? baseDirectory, string? modelPath, ModelLoadLimits limits)
{
    /// <summary>Resolves every external tensor; returns the bytes they take, or null when there is none.</summary>
    public long? ResolveAll(ModelProto model)
    {
        var tensors = ModelWalker.Tensors(model)
            .Where(t => t.HasDataLocation && t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        if (tensors.Count == 0)
        {
            return null;
        }

        long total = 0;
        var files = new Dictionary<string, FileStream>(StringComparer.Ordinal);
        var maps = new Dictionary<string, MemoryMappedFile>(StringComparer.Ordinal);
        try
        {
            var regions = tensors.Select(t => Locate(t, files)).ToList();
            new ExternalDataRegions(modelPath, limits).Check(regions);
            // A model within InMemoryModelBytes fits the in-memory path, so only tensors no array can
            // hold stay in their file; past it, so does every tensor of InMemoryTensorBytes or more.
            var stayInFileFrom = regions.Sum(r => r.Length) > limits.InMemoryModelBytes ? Math.Min(limits.InMemoryTensorBytes, int.MaxValue) : int.MaxValue;
            foreach (var region in regions)
            {
                Resolve(region, stayInFileFrom, files, maps);
                total += region.Length;
            }
        }
        finally
        {
            // The views keep their mappings; the files and mapping objects are no longer needed.
            foreach (var map in maps.Values)
            {
                map.Dispose();
            }

            foreach (var stream in files.Values)
            {
                stream.Dispose();
            }
        }

        return total;
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

        return new ExternalDataRegion(tensor, location, fullPath, offset, length);
    }

    private static void Resolve(ExternalDataRegion region, long stayInFileFrom, Dictionary<string, FileStream> files, Dictionary<string, MemoryMappedFile> maps)
    {
        var tensor = region.Tensor;
        if (region.Length >= stayInFileFrom)
        {
            ExternalTensorReference.Attach(tensor, region.Location, region.FullPath, region.Offset, region.Length);
            return;
        }

        if (region.Length == 0)
        {
            tensor.RawData = ByteString.Empty;
        }
        else
        {
            if (!maps.TryGetValue(region.FullPath, out var map))
            {
                map = MemoryMappedFile.CreateFromFile(files[region.FullPath], null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                maps[region.FullPath] = map;
            }

            // The tensor keeps the mapped view itself: nothing is copied into the managed heap.
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(new MappedRegion(map, region.Offset, (int)region.Length).Memory);
        }

        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
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
