namespace Optimizer.Engine.DataFiles;

/// <summary>
/// How much a <c>.npz</c> may inflate to, checked on the sizes its zip directory declares before
/// any member is inflated (and every member is then read only up to its declared size). Deflate
/// compresses zeros about 1000:1, so a megabyte file can declare gigabytes: that is a zip bomb.
/// Small archives may compress as well as they like (masks of ones and padded ids do); only what
/// inflates past <see cref="FreeInflatedBytes"/> must be in proportion to the file's own size.
/// </summary>
/// <param name="MaxArrayBytes">The largest member, inflated (one byte array holds it).</param>
/// <param name="MaxTotalBytes">All members together, inflated: the same cap as a data file on disk.</param>
/// <param name="FreeInflatedBytes">Up to this total, any compression ratio is accepted.</param>
/// <param name="MaxRatio">Past <paramref name="FreeInflatedBytes"/>, the most the total may exceed the archive's size by.</param>
/// <param name="MaxArrays">The most members: one per model input, and models have a few.</param>
internal sealed record NpzLimits(long MaxArrayBytes, long MaxTotalBytes, long FreeInflatedBytes, long MaxRatio, int MaxArrays)
{
    /// <summary>The limits the engine reads data with.</summary>
    public static readonly NpzLimits Default = new(Array.MaxLength, DataFile.MaxBytes, 256L << 20, 100, 1024);
}
