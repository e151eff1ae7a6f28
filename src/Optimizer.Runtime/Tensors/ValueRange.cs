namespace Optimizer.Runtime;

/// <summary>The smallest and largest value an input was prepared for (both inclusive).</summary>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
public readonly record struct ValueRange(double Min, double Max)
{
    /// <summary>Whether <paramref name="value"/> lies in [<see cref="Min"/>, <see cref="Max"/>] (NaN never does).</summary>
    public bool Contains(double value) => value >= Min && value <= Max;

    /// <summary>For example <c>[-1.5, 3.25]</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{Min}, {Max}]");
}
