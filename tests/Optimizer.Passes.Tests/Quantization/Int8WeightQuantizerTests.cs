using Optimizer.Passes.Quantization;

namespace Optimizer.Passes.Tests.Quantization;

public sealed class Int8WeightQuantizerTests
{
    [Fact]
    public void Per_channel_scales_map_each_columns_largest_magnitude_to_127()
    {
        // [K=2, N=3]; column maxima 2, 0.5, 0 (all-zero column).
        float[] weights = [2f, -0.25f, 0f, -1f, 0.5f, 0f];

        var q = Int8WeightQuantizer.Quantize(weights, 2, 3, perChannel: true, reduceRange: false);

        Assert.Equal([2f / 127, 0.5f / 127, 1f], q.Scales);
        Assert.Equal(new sbyte[] { 127, -64, 0, -64, 127, 0 }, q.Values);
    }

    [Fact]
    public void Reduced_range_uses_seven_bits()
    {
        var q = Int8WeightQuantizer.Quantize([1f, -1f], 2, 1, perChannel: false, reduceRange: true);

        Assert.Equal(new sbyte[] { 63, -63 }, q.Values);
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], Int8WeightQuantizer.Transpose([1f, 2f, 3f, 4f, 5f, 6f], 2, 3));
    }
}
