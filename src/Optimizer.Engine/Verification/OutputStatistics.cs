namespace Optimizer.Engine.Verification;

/// <summary>
/// One output's running comparison, fed sample by sample: error and signal over all elements, the
/// cosine of each sample, and of each sample's pooled embedding when the output is an encoder's.
/// </summary>
internal sealed class OutputStatistics(string name)
{
    private double _maxAbs, _dot, _signal, _optimizedSignal, _noise;
    private readonly CosineRange _samples = new(), _pooled = new();

    public void Add(ReadOnlySpan<float> original, ReadOnlySpan<float> optimized)
    {
        double dot = 0, oo = 0, qq = 0;
        for (var i = 0; i < original.Length; i++)
        {
            double a = original[i], b = optimized[i], d = a - b;
            _maxAbs = Math.Max(_maxAbs, Math.Abs(d));
            dot += a * b;
            oo += a * a;
            qq += b * b;
            _noise += d * d;
        }

        _dot += dot;
        _signal += oo;
        _optimizedSignal += qq;
        _samples.Add(Cosine(dot, oo, qq));
    }

    public void AddPooled(ReadOnlySpan<double> original, ReadOnlySpan<double> optimized)
    {
        double dot = 0, oo = 0, qq = 0;
        for (var i = 0; i < original.Length; i++)
        {
            dot += original[i] * optimized[i];
            oo += original[i] * original[i];
            qq += optimized[i] * optimized[i];
        }

        _pooled.Add(Cosine(dot, oo, qq));
    }

    public OutputFidelity Result() => new(
        name,
        _maxAbs,
        Cosine(_dot, _signal, _optimizedSignal),
        _noise == 0 ? double.PositiveInfinity : _signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(_signal / _noise),
        _samples.Min,
        _samples.Mean,
        _pooled.Count > 0 ? _pooled.Min : null,
        _pooled.Count > 0 ? _pooled.Mean : null);

    /// <summary>Σ o·q / (‖o‖ ‖q‖); 1 when both are zero, 0 when only one is.</summary>
    private static double Cosine(double dot, double oo, double qq) =>
        oo == 0 && qq == 0 ? 1 : oo == 0 || qq == 0 ? 0 : dot / Math.Sqrt(oo * qq);

    /// <summary>Min and mean of per-sample cosines (a NaN sample makes both NaN: it fails every budget).</summary>
    private sealed class CosineRange
    {
        private double _sum;

        public int Count { get; private set; }

        public double Min { get; private set; } = 1;

        public double Mean => Count == 0 ? 1 : _sum / Count;

        public void Add(double cosine)
        {
            Min = double.IsNaN(cosine) || double.IsNaN(Min) ? double.NaN : Math.Min(Min, cosine);
            _sum += cosine;
            Count++;
        }
    }
}
