namespace Optimizer.Passes.Calibration;

/// <summary>
/// Stores calibration results between builds, keyed by <see cref="CalibrationCacheKey"/>. The
/// engine implements it over files in obj/; passes only call it.
/// </summary>
public interface ICalibrationCache
{
    /// <summary>The bytes stored under <paramref name="key"/>, or null.</summary>
    byte[]? TryGet(string key);

    /// <summary>Stores <paramref name="result"/> (from <see cref="CalibrationResult.ToBytes"/>) under <paramref name="key"/>.</summary>
    void Set(string key, byte[] result);
}
