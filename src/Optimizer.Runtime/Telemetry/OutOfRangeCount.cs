using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Telemetry;

/// <summary>Counts the elements of an input tensor outside [min, max]; NaN counts as outside.</summary>
internal static class OutOfRangeCount
{
    public static long Of(ReadOnlySpan<float> values, float min, float max)
    {
        long count = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            var low = new Vector<float>(min);
            var high = new Vector<float>(max);
            // Lanes are -1 where inside; the complement adds one per element outside. Flushed before an int lane could overflow.
            Vector<int> outside = Vector<int>.Zero;
            for (int v = 0; v < vectors.Length; v++)
            {
                Vector<int> inside = Vector.GreaterThanOrEqual(vectors[v], low) & Vector.LessThanOrEqual(vectors[v], high);
                outside -= Vector.OnesComplement(inside);
                if ((v & 0xFFFFF) == 0xFFFFF)
                {
                    count += Vector.Sum(outside);
                    outside = Vector<int>.Zero;
                }
            }

            count += Vector.Sum(outside);
            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!(values[i] >= min && values[i] <= max))
            {
                count++;
            }
        }

        return count;
    }

    public static long Of(ReadOnlySpan<double> values, double min, double max)
    {
        long count = 0;
        foreach (double value in values)
        {
            if (!(value >= min && value <= max))
            {
                count++;
            }
        }

        return count;
    }

    public static long Of(ReadOnlySpan<Half> values, double min, double max)
    {
        long count = 0;
        foreach (Half value in values)
        {
            double widened = (double)value;
            if (!(widened >= min && widened <= max))
            {
                count++;
            }
        }

        return count;
    }
}
