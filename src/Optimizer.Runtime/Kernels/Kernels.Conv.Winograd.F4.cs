using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    private readonly unsafe partial struct WinogradJob
    {
        /// <summary>
        /// F(4×4, 3×3)'s <c>Bᵀ d B</c> of every tile's 6×6 window, 8 channels a vector: each of the
        /// window's rows combined along it into a buffer, then each buffered column down the rows;
        /// value ξ = 6k + l of tile t goes to row t of A matrix ξ.
        /// </summary>
        [SkipLocalsInit]
        private void TransformInput4(float* input, float* transformed, int images, int tileRows)
        {
            int c8 = l.C8, rowStride = l.PaddedCols * c8;
            var matrixStride = (long)l.TransformedStride;
            var rows = stackalloc float[36 * 8];
            var t = 0;
            for (var i = 0; i < images; i++)
            {
                for (var ty = 0; ty < tileRows; ty++)
                {
                    for (var tx = 0; tx < l.TilesX; tx++, t++)
                    {
                        var window = input + (long)i * l.PaddedImageFloats + (long)4 * ty * rowStride + 4 * tx * c8;
                        var dst = transformed + (long)t * c8;
                        for (var c = 0; c < c8; c += 8)
                        {
                            for (var r = 0; r < 6; r++)
                            {
                                var p = window + (long)r * rowStride + c;
                                InputCombine(Vector256.Load(p), Vector256.Load(p + c8), Vector256.Load(p + 2 * c8),
                                    Vector256.Load(p + 3 * c8), Vector256.Load(p + 4 * c8), Vector256.Load(p + 5 * c8), rows + 48 * r, 8);
                            }

                            for (var col = 0; col < 6; col++)
                            {
                                var v = rows + 8 * col;
                                InputCombine(Vector256.Load(v), Vector256.Load(v + 48), Vector256.Load(v + 96), Vector256.Load(v + 144),
                                    Vector256.Load(v + 192), Vector256.Load(v + 240), dst + c + col * matrixStride, 6 * matrixStride);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// F(4×4, 3×3)'s <c>Aᵀ m A</c> of every tile's 36 products, 8 output channels a vector: each
        /// row of six combined into four, then the four columns down the six rows, plus the bias and
        /// the activation, into the channel-last output grid.
        /// </summary>
        [SkipLocalsInit]
        private void TransformOutput4(float* products, float* grid, int images, int tileRows)
        {
            int m8 = l.M8, gridCols = l.GridCols;
            var matrixStride = (long)l.ProductStride;
            var rows = stackalloc Vector256<float>[24];
            var src = products;
            for (var i = 0; i < images; i++)
            {
                for (var ty = 0; ty < tileRows; ty++)
                {
                    for (var tx = 0; tx < l.TilesX; tx++, src += l.ProductRow)
                    {
                        var dst = grid + (long)i * l.GridImageFloats + ((long)4 * ty * gridCols + 4 * tx) * m8;
                        for (var m = 0; m < m8; m += 8)
                        {
                            for (var r = 0; r < 6; r++)
                            {
                                var p = src + m + 6 * r * matrixStride;
                                OutputCombine(Vector256.Load(p), Vector256.Load(p + matrixStride), Vector256.Load(p + 2 * matrixStride),
                                    Vector256.Load(p + 3 * matrixStride), Vector256.Load(p + 4 * matrixStride), Vector256.Load(p + 5 * matrixStride),
                                    out rows[4 * r], out rows[4 * r + 1], out rows[4 * r + 2], out rows[4 * r + 3]);
                            }

                            var b = Vector256.Load(bias + m);
                            for (var col = 0; col < 4; col++)
                            {
                                var v = rows + col;
                                OutputCombine(v[0], v[4], v[8], v[12], v[16], v[20], out var o0, out var o1, out var o2, out var o3);
                                var q = dst + (long)col * m8 + m;
                                Vector256.Store(ApplyEpilogue(o0 + b, act, actMin, actMax), q);
                                Vector256.Store(ApplyEpilogue(o1 + b, act, actMin, actMax), q + (long)gridCols * m8);
                                Vector256.Store(ApplyEpilogue(o2 + b, act, actMin, actMax), q + 2L * gridCols * m8);
                                Vector256.Store(ApplyEpilogue(o3 + b, act, actMin, actMax), q + 3L * gridCols * m8);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Six values combined by F(4×4, 3×3)'s <c>Bᵀ</c> (rows 4 0 −5 0 1 0, 0 −4 −4 1 1 0, 0 4 −4 −1 1 0,
    /// 0 −2 −1 2 1 0, 0 2 −1 −2 1 0, 0 4 0 −5 0 1), stored <paramref name="stride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void InputCombine(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3,
        Vector256<float> d4, Vector256<float> d5, float* dst, long stride)
    {
        var four = Vector256.Create(4f);
        var five = Vector256.Create(5f);
        var two = Vector256.Create(2f);
        var d4MinusD2 = d4 - d2;
        var d3MinusD1 = d3 - d1;
        Vector256.Store(Vector256.FusedMultiplyAdd(four, d0, d4) - five * d2, dst);
        Vector256.Store((d3 + d4) - four * (d1 + d2), dst + stride);
        Vector256.Store(Vector256.FusedMultiplyAdd(four, d1 - d2, d4 - d3), dst + 2 * stride);
        Vector256.Store(Vector256.FusedMultiplyAdd(two, d3MinusD1, d4MinusD2), dst + 3 * stride);
        Vector256.Store(d4MinusD2 - two * d3MinusD1, dst + 4 * stride);
        Vector256.Store(Vector256.FusedMultiplyAdd(four, d1, d5) - five * d3, dst + 5 * stride);
    }

    /// <summary>Six values combined by F(4×4, 3×3)'s <c>Aᵀ</c> (rows 1 1 1 1 1 0, 0 1 −1 2 −2 0, 0 1 1 4 4 0, 0 1 −1 8 −8 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputCombine(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3,
        Vector256<float> m4, Vector256<float> m5, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3)
    {
        Vector256<float> plus12 = m1 + m2, minus12 = m1 - m2, plus34 = m3 + m4, minus34 = m3 - m4;
        o0 = m0 + plus12 + plus34;
        o1 = Vector256.FusedMultiplyAdd(Vector256.Create(2f), minus34, minus12);
        o2 = Vector256.FusedMultiplyAdd(Vector256.Create(4f), plus34, plus12);
        o3 = Vector256.FusedMultiplyAdd(Vector256.Create(8f), minus34, minus12) + m5;
    }
}
