using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Calibration;

public sealed class CalibrationStatisticsTests
{
    [Fact]
    public void Histogram_keeps_every_count_and_the_exact_range_when_it_grows()
    {
        var histogram = new RunningHistogram();
        histogram.Add([0.5f, -0.25f, 0.1f]);
        histogram.Add([3f, -7f]);
        histogram.Add([100f]);

        Assert.Equal(6, histogram.Total);
        Assert.Equal(6, histogram.Counts.Sum());
        Assert.Equal((-7f, 100f), (histogram.Min, histogram.Max));
        Assert.True(histogram.Radius >= 100f);
    }

    [Fact]
    public void Min_max_percentile_and_entropy_ranges_contain_zero_and_stay_inside_the_data()
    {
        var random = new Random(1);
        var histogram = new RunningHistogram();
        var values = Enumerable.Range(0, 100_000).Select(_ => (float)Math.Abs(random.NextDouble() * 2 - 1)).ToArray();
        values[0] = 50f; // one outlier
        histogram.Add(values);

        var minMax = RangeSelector.Select(histogram, CalibrationMethod.MinMax, 99.999);
        var percentile = RangeSelector.Select(histogram, CalibrationMethod.Percentile, 99.9);
        var entropy = RangeSelector.Select(histogram, CalibrationMethod.Entropy, 99.999);

        Assert.Equal(new TensorRange(0, 50f), minMax);
        Assert.InRange(percentile.Max, 0.9f, 1.2f);
        Assert.InRange(entropy.Max, 0.5f, minMax.Max); // the search starts at 256 bins, so it cannot cut below ~1/8 of the radius
        Assert.Equal(0f, entropy.Min);
    }

    [Fact]
    public void Calibration_result_round_trips_to_identical_bytes()
    {
        var result = new CalibrationResult(new Dictionary<string, TensorRange> { ["b"] = new(-1, 2), ["a/ü"] = new(0, 6) });

        var bytes = result.ToBytes();
        var read = CalibrationResult.FromBytes(bytes);

        Assert.Equal(result.Ranges, read.Ranges);
        Assert.Equal(bytes, read.ToBytes());
        Assert.Equal(PassErrorCodes.CalibrationCacheInvalid, Assert.Throws<PassException>(() => CalibrationResult.FromBytes(bytes[..^1])).Code);
    }

    [Fact]
    public void Cache_key_changes_with_model_data_and_options()
    {
        var data = TestSamples.Floats("x", [1, 2, 3, 4], 2, 2);
        var key = CalibrationCacheKey.Compute([1, 2, 3], data, "method=Entropy");

        Assert.Equal(key, CalibrationCacheKey.Compute([1, 2, 3], TestSamples.Floats("x", [1, 2, 3, 4], 2, 2), "method=Entropy"));
        Assert.NotEqual(key, CalibrationCacheKey.Compute([1, 2, 4], data, "method=Entropy"));
        Assert.NotEqual(key, CalibrationCacheKey.Compute([1, 2, 3], TestSamples.Floats("x", [1, 2, 3, 5], 2, 2), "method=Entropy"));
        Assert.NotEqual(key, CalibrationCacheKey.Compute([1, 2, 3], TestSamples.Floats("x", [1, 2, 3, 4], 4, 1), "method=Entropy"));
        Assert.NotEqual(key, CalibrationCacheKey.Compute([1, 2, 3], data, "method=MinMax"));
    }

    [Fact]
    public void Cache_key_of_several_inputs_covers_every_input()
    {
        static StackedSamples Encoder(long id, long mask) => new(
        [
            new StackedInput("input_ids", DataTensor.FromInt64([101, id, 102], [1, 3]), RowIsWholeInput: false),
            new StackedInput("attention_mask", DataTensor.FromInt64([1, 1, mask], [1, 3]), RowIsWholeInput: false),
        ], batchable: true) { Source = "1 test sample" };
        var key = CalibrationCacheKey.Compute([1, 2, 3], Encoder(7, 1), "method=MinMax");

        Assert.Equal(key, CalibrationCacheKey.Compute([1, 2, 3], Encoder(7, 1), "method=MinMax"));
        Assert.NotEqual(key, CalibrationCacheKey.Compute([1, 2, 3], Encoder(8, 1), "method=MinMax"));
        Assert.NotEqual(key, CalibrationCacheKey.Compute([1, 2, 3], Encoder(7, 0), "method=MinMax"));
    }
}
