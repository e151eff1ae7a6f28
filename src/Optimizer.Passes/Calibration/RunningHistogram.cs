// Streams one tensor's values into a fixed number of bins over a symmetric range [-R, R], as
// ONNX Runtime's HistogramCalibrater does, so memory stays constant however much data flows.
// When a batch exceeds R, R grows by a power of two: every old bin then lies inside exactly one
// new bin (bin edges stay aligned), so re-binning loses nothing beyond the coarser width.

namespace Optimizer.Passes.Calibration;

/// <summary>A running histogram plus exact minimum and maximum of everything added.</summary>
internal sealed class RunningHistogram
{
    public const int BinCount = 2048;

    public RunningHistogram()
    {
        Counts = new long[BinCount];
    }

    public long[] Counts { get; private set; }

    /// <summary>Half-width of the binned range; 0 until a nonzero value arrives.</summary>
    public float Radius { get; private set; }

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    public long Total { get; private set; }

    public float BinWidth => 2 * Radius / BinCount;

    public void Add(ReadOnlySpan<float> values)
    {
        var batchAbsMax = 0f;
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                continue;
            }

            Min = Math.Min(Min, v);
            Max = Math.Max(Max, v);
            batchAbsMax = Math.Max(batchAbsMax, Math.Abs(v));
        }

        GrowTo(batchAbsMax);
        var width = BinWidth;
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                continue;
            }

            var index = width > 0 ? (int)((v + Radius) / width) : BinCount / 2;
            Counts[Math.Clamp(index, 0, BinCount - 1)]++;
            Total++;
        }
    }

    private void GrowTo(float absMax)
    {
        if (absMax <= Radius)
        {
            return;
        }

        if (Radius == 0)
        {
            // Everything so far was 0 and sits in the centre bin, which stays the centre bin.
            Radius = absMax;
            return;
        }

        var factor = 1;
        while (Radius * factor < absMax)
        {
            factor *= 2;
        }

        // Old bin i starts at -R + i·w; in the new bins (width factor·w over ±factor·R) it falls in
        // (i + (factor − 1)·BinCount/2) / factor, exactly, because the offsets are whole bins.
        var merged = new long[BinCount];
        var offset = (long)(factor - 1) * (BinCount / 2);
        for (var i = 0; i < BinCount; i++)
        {
            merged[(i + offset) / factor] += Counts[i];
        }

        Counts = merged;
        Radius *= factor;
    }
}
