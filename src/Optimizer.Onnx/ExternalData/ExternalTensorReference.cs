using System.Globalization;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// A tensor whose bytes stay in its external-data file: too large to hold as one <c>raw_data</c>
/// (a protobuf <c>ByteString</c> or any managed array holds at most 2 GiB) or above
/// <see cref="ModelLoadLimits.InMemoryTensorBytes"/>. The loader checked the region (inside the
/// model's folder, in range, not overlapping) and records the resolved path in the tensor's
/// <c>external_data</c> under <see cref="SourceKey"/>, so the reference survives clones of the model;
/// passes read it in blocks (<see cref="OnnxTensor.ReadRawBytes"/>) and the writer copies it block by block.
/// </summary>
internal sealed record ExternalTensorReference(string FullPath, long Offset, long Length)
{
    /// <summary>The entry holding the checked absolute path; never written to a file (the writer replaces all entries).</summary>
    public const string SourceKey = "optimizer.resolved_path";

    /// <summary>Blocks copied at a time when a reference is read whole or copied to another file.</summary>
    public const int CopyBlockBytes = 4 << 20;

    /// <summary>The reference a loaded tensor carries, or null for a tensor whose bytes are in memory.</summary>
    public static ExternalTensorReference? Of(TensorProto tensor)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return null;
        }

        string? path = null;
        long offset = 0, length = 0;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case SourceKey: path = entry.Value; break;
                case "offset": offset = long.Parse(entry.Value, CultureInfo.InvariantCulture); break;
                case "length": length = long.Parse(entry.Value, CultureInfo.InvariantCulture); break;
            }
        }

        return path is null ? null : new ExternalTensorReference(path, offset, length);
    }

    /// <summary>Marks <paramref name="tensor"/> as read from <paramref name="fullPath"/> on demand.</summary>
    public static void Attach(TensorProto tensor, string location, string fullPath, long offset, long length)
    {
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(Entry("location", location));
        tensor.ExternalData.Add(Entry("offset", offset.ToString(CultureInfo.InvariantCulture)));
        tensor.ExternalData.Add(Entry("length", length.ToString(CultureInfo.InvariantCulture)));
        tensor.ExternalData.Add(Entry(SourceKey, fullPath));
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ClearRawData();
    }

    /// <summary>Fills <paramref name="destination"/> with the bytes from <paramref name="start"/> (relative to the tensor).</summary>
    public void Read(long start, Span<byte> destination)
    {
        if (start < 0 || start + destination.Length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Bytes {start}..{start + destination.Length} are outside the tensor's {Length}.");
        }

        using var handle = File.OpenHandle(FullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        Read(handle, start, destination);
    }

    /// <summary>The whole tensor as one array (only for tensors under 2 GiB).</summary>
    public byte[] ReadAll()
    {
        if (Length > Array.MaxLength)
        {
            throw new OnnxFormatException(OnnxErrorCodes.TensorDataInvalid,
                $"The tensor stored in '{FullPath}' takes {Length} bytes, more than one array can hold. Read it in blocks (OnnxTensor.ReadRawBytes).");
        }

        var bytes = new byte[Length];
        Read(0, bytes);
        return bytes;
    }

    /// <summary>Copies the tensor's bytes to <paramref name="output"/> a block at a time.</summary>
    public void CopyTo(Stream output)
    {
        using var handle = File.OpenHandle(FullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[(int)Math.Min(CopyBlockBytes, Math.Max(Length, 1))];
        for (long done = 0; done < Length;)
        {
            var block = buffer.AsSpan(0, (int)Math.Min(buffer.Length, Length - done));
            Read(handle, done, block);
            output.Write(block);
            done += block.Length;
        }
    }

    private void Read(SafeFileHandle handle, long start, Span<byte> destination)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[filled..], Offset + start + filled);
            if (n == 0)
            {
                throw new OnnxFormatException(OnnxErrorCodes.ExternalDataRangeInvalid,
                    $"The external-data file '{FullPath}' became shorter while it was read. Do not change data files during a build.");
            }

            filled += n;
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
