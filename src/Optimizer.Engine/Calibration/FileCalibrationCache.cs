using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.Calibration;

/// <summary>
/// Calibration results kept in the output folder between builds, one file per content key
/// (model + data + options), so a rebuild that changes only another pass does not recalibrate.
/// </summary>
internal sealed class FileCalibrationCache(string directory) : ICalibrationCache
{
    public byte[]? TryGet(string key)
    {
        var path = PathFor(key);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
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
