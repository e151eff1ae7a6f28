namespace Optimizer.Compiler.Tests.Support;

/// <summary>The ONNX backend tests' comparison: |actual − expected| ≤ atol + rtol·|expected| (numpy.testing.assert_allclose).</summary>
internal static class Tolerance
{
    public const double RelativeTolerance = 1e-3;
    public const double AbsoluteTolerance = 1e-7;

    /// <summary>Null when all elements are close (NaN matches NaN), else the first difference.</summary>
    public static string? Compare(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = RelativeTolerance, double atol = AbsoluteTolerance)
    {
        if (expected.Length != actual.Length)
        {
            return $"{actual.Length} elements, expected {expected.Length}";
        }

        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a) || e == a)
            {
                continue;
            }

            if (!(Math.Abs(a - e) <= atol + rtol * Math.Abs(e)))
            {
                return $"element {i}: {a} vs expected {e}";
            }
        }

        return null;
    }
}
