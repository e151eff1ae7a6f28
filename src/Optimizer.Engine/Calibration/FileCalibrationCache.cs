using Optimizer.Onnx.Files;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.Calibration;

/// <summary>
/// Calibration results kept in the output folder between builds, one file per content key
/// (model + data + options), so a rebuild that changes only another pass does not recalibrate.
/// </summary>
internal sealed class FileCalibrationCache(string directory) : ICalibrationCache
{
    /// <summary>The largest cache entry read (a few bytes per observed tensor; anything near this is not ours).</summary>
    private const long MaxEntryBytes = 64L << 20;

    /// <summary>The cached bytes, or null when absent; an entry that is not a plain file of sane size is a miss, never read.</summary>
    public byte[]? TryGet(string key)
    {
        try
        {
            return UntrustedFile.ReadAllBytes(PathFor(key), MaxEntryBytes);
        }
        catch (UntrustedFileException)
        {
            return null;
        }
    }

    public void Set(string key, byte[] result)
    {
        Directory.CreateDirectory(directory);
        var path = PathFor(key);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, result);
        File.Move(temporary, path, overwrite: true);
    }

    private string PathFor(string key) => Path.Combine(directory, key + ".calibration");
}
