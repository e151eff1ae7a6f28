// Turns a running histogram into a quantization range.
// - MinMax: the exact observed range.
// - Percentile: each tail clipped where the given percentile of all values is reached.
// - Entropy: TensorRT's KL-divergence search on |x| (as ONNX Runtime's EntropyCalibrater): for
//   each candidate threshold, the clipped distribution P (outliers folded into the last bin) is
//   compared with Q, the in-range bins (without the outliers) squeezed into the quantization levels; the threshold with the
//   smallest KL(P‖Q) wins. A tensor that is never negative (after Relu) gets all 256 levels on
//   [0, t], so it is searched with 256 levels; a signed one with 128 per side.
// Every range contains 0 (so padding and Relu zeros are exact) and never exceeds the observed range.

namespace Optimizer.Passes.Calibration;

/// <summary>Chooses an activation's quantization range from its histogram.</summary>
internal static class RangeSelector
{
    public static TensorRange Select(RunningHistogram histogram, CalibrationMethod method, double percentile)
    {
        if (histogram.Total == 0)
        {
            return new TensorRange(0, 0);
        }

        var (min, max) = (histogram.Min, histogram.Max);
        var (low, high) = method switch
        {
            CalibrationMethod.Percentile => PercentileRange(histogram, percentile),
            CalibrationMethod.Entropy => EntropyRange(histogram),
            _ => (min, max),
        };
        return TensorRange.IncludingZero(Math.Max(low, min), Math.Min(high, max));
    }

    private static (float Low, float High) PercentileRange(RunningHistogram histogram, double percentile)
    {
        var tail = histogram.Total * (1 - percentile / 100.0);
        var counts = histogram.Counts;
        int lowBin = 0, highBin = counts.Length - 1;
        for (long seen = 0; lowBin < counts.Length - 1 && seen + counts[lowBin] <= tail; lowBin++)
        {
            seen += counts[lowBin];
        }

        for (long seen = 0; highBin > 0 && seen + counts[highBin] <= tail; highBin--)
        {
            seen += counts[highBin];
        }

        var width = histogram.BinWidth;
        return (-histogram.Radius + lowBin * width, -histogram.Radius + (highBin + 1) * width);
    }

    private static (float Low, float High) EntropyRange(RunningHistogram histogram)
    {
        var half = RunningHistogram.BinCount / 2;
        var magnitudes = new double[half];
        for (var j = 0; j < half; j++)
        {
            magnitudes[j] = histogram.Counts[half + j] + histogram.Counts[half - 1 - j];
        }

        var levels = histogram.Min >= 0 ? 256 : 128;
        var bestBins = half;
        var bestDivergence = double.PositiveInfinity;
        for (var bins = Math.Min(levels, half); bins <= half; bins++)
        {
            var divergence = KlDivergence(magnitudes, bins, levels);
            if (divergence < bestDivergence)
            {
                (bestDivergence, bestBins) = (divergence, bins);
            }
        }

        var threshold = bestBins * histogram.BinWidth;
        return (-threshold, threshold);
    }

    private static double KlDivergence(double[] magnitudes, int bins, int levels)
    {
        var reference = new double[bins];
        Array.Copy(magnitudes, reference, bins);
        for (var j = bins; j < magnitudes.Length; j++)
        {
            reference[bins - 1] += magnitudes[j];
        }

        var candidate = new double[bins];
        for (var level = 0; level < levels; level++)
        {
            var start = level * bins / levels;
            var end = (level + 1) * bins / levels;
            double sum = 0;
            var nonZero = 0;
            for (var j = start; j < end; j++)
            {
                sum += magnitudes[j];
                nonZero += magnitudes[j] > 0 ? 1 : 0;
            }

            for (var j = start; j < end && nonZero > 0; j++)
            {
                candidate[j] = magnitudes[j] > 0 ? sum / nonZero : 0;
            }
        }

        double referenceTotal = reference.Sum(), candidateTotal = candidate.Sum();
        if (referenceTotal == 0 || candidateTotal == 0)
        {
            return double.PositiveInfinity;
        }

        double divergence = 0;
        for (var j = 0; j < bins; j++)
        {
            if (reference[j] == 0)
            {
                continue;
            }

            var p = reference[j] / referenceTotal;
            var q = candidate[j] / candidateTotal;
            divergence += q > 0 ? p * Math.Log(p / q) : p * 20; // a level P has and Q lost: heavily penalized
        }

        return divergence;
    }
}
