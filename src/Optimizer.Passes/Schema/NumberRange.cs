using System.Globalization;

namespace Optimizer.Passes.Schema;

/// <summary>An interval of allowed numbers; each end is inclusive or exclusive.</summary>
public readonly struct NumberRange
{
    public NumberRange(double min, bool minInclusive, double max, bool maxInclusive)
    {
        Min = min;
        MinInclusive = minInclusive;
        Max = max;
        MaxInclusive = maxInclusive;
    }

    public static NumberRange Any => new(double.NegativeInfinity, true, double.PositiveInfinity, true);

    /// <summary>True when every number but NaN is allowed.</summary>
    public bool IsAny => double.IsNegativeInfinity(Min) && double.IsPositiveInfinity(Max);

    public double Min { get; }
    public bool MinInclusive { get; }
    public double Max { get; }
    public bool MaxInclusive { get; }

    public bool Contains(double value) =>
        !double.IsNaN(value)
        && (MinInclusive ? value >= Min : value > Min)
        && (MaxInclusive ? value <= Max : value < Max);

    /// <summary>Interval notation, e.g. "(0, 1)" or "[0, 1]".</summary>
    public override string ToString() =>
        (MinInclusive ? "[" : "(") + Min.ToString(CultureInfo.InvariantCulture) + ", "
        + Max.ToString(CultureInfo.InvariantCulture) + (MaxInclusive ? "]" : ")");
}
