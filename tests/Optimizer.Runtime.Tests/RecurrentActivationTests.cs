using System.Runtime.Intrinsics;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The LSTM/GRU cells' vector sigmoid and tanh against double-precision references: relative error
/// at most 1e-6 over a dense sweep of [-20, 20], tiny and huge magnitudes, and both sides of
/// tanh's switch from the polynomial to the exponential form at |x| = 0.625.
/// </summary>
public class RecurrentActivationTests
{
    private const double MaxRelativeError = 1e-6;

    [Fact]
    public void Sigmoid_is_accurate_to_1e_6_relative()
    {
        var worst = Worst(Kernels.Lanes.Sigmoid, x => 1 / (1 + Math.Exp(-x)));
        Assert.True(worst.Error <= MaxRelativeError, $"sigmoid({worst.X}): relative error {worst.Error}");
    }

    [Fact]
    public void Tanh_is_accurate_to_1e_6_relative()
    {
        var worst = Worst(Kernels.Lanes.Tanh, Math.Tanh);
        Assert.True(worst.Error <= MaxRelativeError, $"tanh({worst.X}): relative error {worst.Error}");
    }

    [Fact]
    public void Saturation_gives_the_limits_or_the_smallest_normals_without_nan()
    {
        var x = Vector256.Create(-1e30f, -200f, -90f, 0f, -0f, 90f, 200f, 1e30f);
        var sigmoid = Elements(Kernels.Lanes.Sigmoid(x));
        Assert.All(sigmoid[..3], v => Assert.InRange(v, 0f, 1e-37f));
        Assert.Equal([0.5f, 0.5f, 1f, 1f, 1f], sigmoid[3..]);
        Assert.Equal([-1f, -1f, -1f, 0f, -0f, 1f, 1f, 1f], Elements(Kernels.Lanes.Tanh(x)));
    }

    private static (float X, double Error) Worst(Func<Vector256<float>, Vector256<float>> f, Func<double, double> reference)
    {
        var points = Enumerable.Range(-200_000, 400_001).Select(i => i * 1e-4f)
            .Concat(new[] { 1e-30f, -1e-30f, 1e-7f, -3e-6f, 0.6249999f, 0.625f, -0.6250001f, 30f, -30f })
            .ToList();
        while (points.Count % 8 != 0)
        {
            points.Add(1f);
        }

        var worst = (X: 0f, Error: 0.0);
        for (var i = 0; i < points.Count; i += 8)
        {
            var y = f(Vector256.Create(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(points).Slice(i, 8)));
            for (var lane = 0; lane < 8; lane++)
            {
                var x = points[i + lane];
                var expected = reference(x);
                var error = expected == 0 ? Math.Abs(y[lane]) : Math.Abs(y[lane] - expected) / Math.Abs(expected);
                if (error > worst.Error)
                {
                    worst = (x, error);
                }
            }
        }

        return worst;
    }

    private static float[] Elements(Vector256<float> v) => Enumerable.Range(0, 8).Select(i => v[i]).ToArray();
}
