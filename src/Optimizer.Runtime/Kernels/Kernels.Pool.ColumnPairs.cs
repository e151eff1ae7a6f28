using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// <c>y[i] = max(x[2i], x[2i + 1])</c> for every i of <paramref name="y"/>: the last step of a max
    /// pool whose windows are two columns at column stride 2 (the wake-word embedding's 1×2/(1,2)
    /// pools), which otherwise reduces each two-float window with a call. On AVX2, sixteen inputs
    /// give eight outputs: even and odd columns by two shuffles, their maxima put in order by one
    /// 64-bit permute. Maxima by <c>vmaxps</c>, as the 2×2 pool's vector paths take them.
    /// </summary>
    private static unsafe void MaxOfColumnPairs(ReadOnlySpan<float> x, Span<float> y)
    {
        var i = 0;
        if (Avx2.IsSupported && y.Length >= 8)
        {
            fixed (float* px = x, py = y)
            {
                for (; i + 8 <= y.Length; i += 8)
                {
                    var a = Avx.LoadVector256(px + 2 * i);
                    var b = Avx.LoadVector256(px + 2 * i + 8);
                    // Per 128-bit lane [a0 a2 b0 b2 | a4 a6 b4 b6] and the odd columns: outputs 0 1 4 5 | 2 3 6 7.
                    var m = Avx.Max(Avx.Shuffle(a, b, 0b10_00_10_00), Avx.Shuffle(a, b, 0b11_01_11_01));
                    Avx.Store(py + i, Avx2.Permute4x64(m.AsDouble(), 0b11_01_10_00).AsSingle());
                }
            }
        }

        for (; i < y.Length; i++)
        {
            y[i] = MathF.Max(x[2 * i], x[2 * i + 1]);
        }
    }
}
