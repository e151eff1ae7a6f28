using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>The bytes one tensor takes from an external-data file: <paramref name="FullPath"/> at <paramref name="Offset"/>.</summary>
internal sealed record ExternalDataRegion(TensorProto Tensor, string Location, string FullPath, long Offset, long Length);

/// <summary>
/// Checks a model's external-data regions as a whole before any is read: no two may share a byte,
/// and together they stay within <see cref="ModelLoadLimits.MaxExternalDataBytes"/>.
/// </summary>
/// <remarks>
/// Each region already lies inside its file, so regions that do not overlap add up to at most the
/// files' sizes: a few bytes of model cannot name one region many times and have it read into
/// memory once per name (the amplification a 252-byte model naming one sparse 1 GiB region twice relied on).
/// </remarks>
internal sealed class ExternalDataRegions(string? modelPath, ModelLoadLimits limits)
{
    public void Check(IReadOnlyList<ExternalDataRegion> regions)
    {
        foreach (var file in regions.Where(r => r.Length > 0).GroupBy(r => r.FullPath, StringComparer.Ordinal))
        {
            ExternalDataRegion? furthest = null;
            foreach (var region in file.OrderBy(r => r.Offset).ThenBy(r => r.Length))
            {
                if (furthest is not null && region.Offset < furthest.Offset + furthest.Length)
                {
                    throw new OnnxFormatException(OnnxErrorCodes.ExternalDataOverlap,
                        $"Tensors '{furthest.Tensor.Name}' (bytes {furthest.Offset}–{furthest.Offset + furthest.Length - 1}) and " +
                        $"'{region.Tensor.Name}' (bytes {region.Offset}–{region.Offset + region.Length - 1}) both take their data from the same bytes of " +
                        $"'{region.Location}'. Each tensor must have its own bytes; re-export the model with its data file.", modelPath);
                }

                if (furthest is null || region.Offset + region.Length > furthest.Offset + furthest.Length)
                {
                    furthest = region;
                }
            }
        }

        var total = regions.Sum(r => r.Length);
        if (total > limits.MaxExternalDataBytes)
        {
            throw new OnnxFormatException(OnnxErrorCodes.ExternalDataTooLarge,
                $"The model's tensors take {total} bytes of external data, more than the limit. {LimitAdvice.MaxExternalDataBytes(limits.MaxExternalDataBytes)}", modelPath);
        }
    }
}
