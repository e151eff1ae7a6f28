// Per-layer weight granularity of static INT8 (the WeightGranularity option).
// - PerChannel: one symmetric scale per output channel (what ORT's quantizer does with
//   per_channel=True); best accuracy, one float scale per channel in the file (and the int32
//   bias then needs a per-channel scale too).
// - PerTensor: one scale for the whole weight; smallest file, but a layer whose channels differ
//   in range (depthwise convs above all) loses resolution in its small channels.
// - Auto (default): per tensor where its weight-quantization SQNR (W vs dequant(quant(W))) is
//   within AutoMarginDb (1 dB) of per-channel, else per channel. Measured (WeightGranularityTests):
//   - digits CNN/MLP: no layer is within 1 dB, so Auto = PerChannel (CNN 99.33%, MLP 97.11% / 28.9%
//     of fp32, global 50% prune + int8 CNN 98.44%). PerTensor gives the same accuracies here (MLP
//     26.7%), but a 3 dB margin mixed granularities and dropped the CNN to 99.11%, at the limit.
//   - ch_ppocr cls: BN-folded weights have very uneven channels; per tensor costs more than 1 dB in
//     53 of 54 layers. Argmax agreement with fp32 on 256 held-out random images: PerChannel 91.4%,
//     Auto 91.8%, PerTensor 85.5% (file 35.3% / 35.3% / 30.6% of fp32).
//   So per-channel stays the safe choice and Auto only takes per tensor where it is nearly free.

namespace Optimizer.Passes.Quantization;

/// <summary>Quantizes a weight at the granularity asked for (Auto decides per layer).</summary>
internal static class WeightGranularityChoice
{
    /// <summary>How much lower (dB) per-tensor SQNR may be than per-channel for Auto to pick per tensor.</summary>
    public const double AutoMarginDb = 1.0;

    /// <summary>Symmetric int8 values and their scales: one scale (per tensor) or one per index of <paramref name="axis"/>.</summary>
    public static (sbyte[] Values, float[] Scales) Quantize(float[] weights, IReadOnlyList<long> dims, int axis, bool reduceRange, WeightGranularity granularity)
    {
        if (granularity == WeightGranularity.PerTensor)
        {
            return PerAxisInt8Quantizer.QuantizePerTensor(weights, reduceRange);
        }

        var perChannel = PerAxisInt8Quantizer.Quantize(weights, dims, axis, reduceRange);
        if (granularity == WeightGranularity.PerChannel || perChannel.Scales.Length == 1)
        {
            return perChannel;
        }

        var perTensor = PerAxisInt8Quantizer.QuantizePerTensor(weights, reduceRange);
        var inner = (int)dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        return Sqnr(weights, perTensor, inner) >= Sqnr(weights, perChannel, inner) - AutoMarginDb ? perTensor : perChannel;
    }

    /// <summary>Signal-to-quantization-noise ratio in dB of W against dequant(quant(W)); +∞ when exact.</summary>
    public static double Sqnr(float[] weights, (sbyte[] Values, float[] Scales) quantized, int inner)
    {
        double signal = 0, noise = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var scale = quantized.Scales[quantized.Scales.Length == 1 ? 0 : i / inner % quantized.Scales.Length];
            var error = weights[i] - (double)quantized.Values[i] * scale;
            signal += (double)weights[i] * weights[i];
            noise += error * error;
        }

        return noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(Math.Max(signal, double.Epsilon) / noise);
    }
}
