namespace Optimizer.Passes.Quantization;

/// <summary>Symmetric int8 quantization with one scale per slice along an axis (per output channel).</summary>
internal static class PerAxisInt8Quantizer
{
    /// <summary>
    /// Quantizes a C-order tensor of <paramref name="dims"/> with one scale per index of
    /// <paramref name="axis"/>; values lie in [-127, 127], or [-63, 63] with <paramref name="reduceRange"/>
    /// (see DynamicInt8Quantization for why 7 bits on x86 without VNNI).
    /// </summary>
    public static (sbyte[] Values, float[] Scales) Quantize(float[] weights, IReadOnlyList<long> dims, int axis, bool reduceRange)
    {
        var channels = (int)dims[axis];
        var inner = 1;
        for (var d = axis + 1; d < dims.Count; d++)
        {
            inner *= (int)dims[d];
        }

        int ChannelOf(int i) => i / inner % channels;
        float qmax = reduceRange ? 63 : 127;
        var scales = new float[channels];
        for (var i = 0; i < weights.Length; i++)
        {
            scales[ChannelOf(i)] = Math.Max(scales[ChannelOf(i)], Math.Abs(weights[i]));
        }

        for (var c = 0; c < channels; c++)
        {
            // An all-zero channel keeps scale 1 so dequantization stays finite.
            scales[c] = scales[c] > 0 ? scales[c] / qmax : 1f;
        }

        var values = new sbyte[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            values[i] = (sbyte)Math.Clamp(MathF.Round(weights[i] / scales[ChannelOf(i)], MidpointRounding.ToEven), -qmax, qmax);
        }

        return (values, scales);
    }

    /// <summary>Symmetric int8 quantization with one scale for the whole tensor (same range rules as <see cref="Quantize"/>).</summary>
    public static (sbyte[] Values, float[] Scales) QuantizePerTensor(float[] weights, bool reduceRange) =>
        Quantize(weights, [1, weights.Length], 0, reduceRange);
}
