using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The AVX-512 tiles of <see cref="GemmJob"/>: 8 rows × two 16-column panels (16 zmm
    /// accumulators, as MLAS's SgemmKernelAvx512F), or × one panel for the last odd one. The packed
    /// layout is the AVX2 kernels' (16-column panels), so programs and weights do not change.
    /// Rows below a full tile run on the AVX2 tiles, which the same CPUs have.
    /// </summary>
    internal readonly unsafe partial struct GemmJob
    {
        /// <summary>Rows per 512-bit register tile.</summary>
        private const int ZmmTileRows = 8;

        /// <summary>Panels <paramref name="first"/> to <paramref name="end"/> (exclusive) on 512-bit tiles.</summary>
        private void RunPanelsAvx512(int first, int end)
        {
            var fullRows = m / ZmmTileRows * ZmmTileRows;
            for (var panel = first; panel < end; panel++)
            {
                var p = packed + (long)panel * PanelWidth * k;
                var col0 = panel * PanelWidth;
                var pair = panel + 1 < end && n - col0 > PanelWidth;
                var cols = Math.Min(pair ? 2 * PanelWidth : PanelWidth, n - col0);
                for (var row = 0; row < fullRows; row += ZmmTileRows)
                {
                    if (pair)
                    {
                        Micro8x32Avx512(a + (long)row * lda, p, c + (long)row * ldc + col0, cols, row, col0);
                    }
                    else
                    {
                        Micro8x16Avx512(a + (long)row * lda, p, c + (long)row * ldc + col0, cols, row, col0);
                    }
                }

                RunRowsAvx2(fullRows, panel, p);
                if (pair)
                {
                    panel++;
                    RunRowsAvx2(fullRows, panel, p + (long)PanelWidth * k);
                }
            }
        }

        /// <summary>Rows <paramref name="first"/>.. of one panel on the 256-bit tiles.</summary>
        private void RunRowsAvx2(int first, int panel, float* p)
        {
            var cols = Math.Min(PanelWidth, n - panel * PanelWidth);
            var cp = c + panel * PanelWidth;
            var row = first;
            for (; m - row >= 3; row += TileRows)
            {
                Micro4x16Fma(a + (long)row * lda, lda, p, k, cp + (long)row * ldc, ldc, Math.Min(TileRows, m - row), cols, row, panel * PanelWidth);
            }

            for (; row < m; row++)
            {
                Micro1x16Fma(a + (long)row * lda, p, k, cp + (long)row * ldc, cols, row, panel * PanelWidth);
            }
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro8x32Avx512(float* a0, float* p0, float* c0, int cols, int row0, int col0)
        {
            const int width = 2 * PanelWidth;
            var tile = stackalloc float[ZmmTileRows * width];
            Accumulate8x32(a0, lda, p0, p0 + (long)PanelWidth * k, k, tile);
            StoreTileAvx512(tile, width, cols, c0, row0, col0);
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro8x16Avx512(float* a0, float* p, float* c0, int cols, int row0, int col0)
        {
            var tile = stackalloc float[ZmmTileRows * PanelWidth];
            Accumulate8x16(a0, lda, p, k, tile);
            StoreTileAvx512(tile, PanelWidth, cols, c0, row0, col0);
        }

        // The k loops are apart from everything else, with the tile as their only output: with the
        // epilogue's constants or calls in the same method the JIT keeps the 16 accumulators' homes
        // on the stack and stores them on every k step (a third slower than the AVX2 tiles).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Accumulate8x32(float* a0, int lda, float* p0, float* p1, int k, float* tile)
        {
            var a1 = a0 + lda;
            var a2 = a1 + lda;
            var a3 = a2 + lda;
            var a4 = a3 + lda;
            var a5 = a4 + lda;
            var a6 = a5 + lda;
            var a7 = a6 + lda;
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            for (var kk = 0; kk < k; kk++)
            {
                var b0 = Avx512Ops.LoadVector512(p0 + kk * PanelWidth);
                var b1 = Avx512Ops.LoadVector512(p1 + kk * PanelWidth);
                var v = Vector512.Create(a0[kk]);
                c00 = Avx512Ops.FusedMultiplyAdd(v, b0, c00); c01 = Avx512Ops.FusedMultiplyAdd(v, b1, c01);
                v = Vector512.Create(a1[kk]);
                c10 = Avx512Ops.FusedMultiplyAdd(v, b0, c10); c11 = Avx512Ops.FusedMultiplyAdd(v, b1, c11);
                v = Vector512.Create(a2[kk]);
                c20 = Avx512Ops.FusedMultiplyAdd(v, b0, c20); c21 = Avx512Ops.FusedMultiplyAdd(v, b1, c21);
                v = Vector512.Create(a3[kk]);
                c30 = Avx512Ops.FusedMultiplyAdd(v, b0, c30); c31 = Avx512Ops.FusedMultiplyAdd(v, b1, c31);
                v = Vector512.Create(a4[kk]);
                c40 = Avx512Ops.FusedMultiplyAdd(v, b0, c40); c41 = Avx512Ops.FusedMultiplyAdd(v, b1, c41);
                v = Vector512.Create(a5[kk]);
                c50 = Avx512Ops.FusedMultiplyAdd(v, b0, c50); c51 = Avx512Ops.FusedMultiplyAdd(v, b1, c51);
                v = Vector512.Create(a6[kk]);
                c60 = Avx512Ops.FusedMultiplyAdd(v, b0, c60); c61 = Avx512Ops.FusedMultiplyAdd(v, b1, c61);
                v = Vector512.Create(a7[kk]);
                c70 = Avx512Ops.FusedMultiplyAdd(v, b0, c70); c71 = Avx512Ops.FusedMultiplyAdd(v, b1, c71);
            }

            c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
            c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
            c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
            c60.Store(tile + 192); c61.Store(tile + 208); c70.Store(tile + 224); c71.Store(tile + 240);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Accumulate8x16(float* a0, int lda, float* p, int k, float* tile)
        {
            var a1 = a0 + lda;
            var a2 = a1 + lda;
            var a3 = a2 + lda;
            var a4 = a3 + lda;
            var a5 = a4 + lda;
            var a6 = a5 + lda;
            var a7 = a6 + lda;
            Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default, c60 = default, c70 = default;
            for (var kk = 0; kk < k; kk++)
            {
                var b0 = Avx512Ops.LoadVector512(p + kk * PanelWidth);
                c00 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a0[kk]), b0, c00);
                c10 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a1[kk]), b0, c10);
                c20 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a2[kk]), b0, c20);
                c30 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a3[kk]), b0, c30);
                c40 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a4[kk]), b0, c40);
                c50 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a5[kk]), b0, c50);
                c60 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a6[kk]), b0, c60);
                c70 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(a7[kk]), b0, c70);
            }

            c00.Store(tile); c10.Store(tile + 16); c20.Store(tile + 32); c30.Store(tile + 48);
            c40.Store(tile + 64); c50.Store(tile + 80); c60.Store(tile + 96); c70.Store(tile + 112);
        }

        /// <summary>
        /// The epilogue (alpha, bias per column or row, the activation) on a tile of 8 rows of
        /// <paramref name="width"/> floats, <paramref name="cols"/> of them stored, 16 at a time
        /// (masked for the last partial group of a row).
        /// </summary>
        private void StoreTileAvx512(float* tile, int width, int cols, float* c0, int row0, int col0)
        {
            var alphaV = Vector512.Create(alpha);
            for (var j = 0; j < cols; j += 16)
            {
                var rest = cols - j;
                var columnBias = bias != null && !biasPerRow ? LoadPartial(bias + col0 + j, rest) : Vector512<float>.Zero;
                for (var r = 0; r < ZmmTileRows; r++)
                {
                    var x = Avx512Ops.LoadVector512(tile + r * width + j) * alphaV;
                    if (bias != null)
                    {
                        x += biasPerRow ? Vector512.Create(bias[row0 + r]) : columnBias;
                    }

                    StorePartial(c0 + (long)r * ldc + j, ApplyEpilogue(x, act, actMin, actMax), rest);
                }
            }
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private static Vector512<float> LoadPartial(float* source, int count)
        {
            if (count >= 16)
            {
                return Avx512Ops.LoadVector512(source);
            }

            var lanes = stackalloc float[16];
            Vector512<float>.Zero.Store(lanes);
            new ReadOnlySpan<float>(source, count).CopyTo(new Span<float>(lanes, count));
            return Avx512Ops.LoadVector512(lanes);
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private static void StorePartial(float* destination, Vector512<float> value, int count)
        {
            if (count >= 16)
            {
                Avx512Ops.Store(destination, value);
                return;
            }

            var lanes = stackalloc float[16];
            value.Store(lanes);
            new ReadOnlySpan<float>(lanes, count).CopyTo(new Span<float>(destination, count));
        }
    }
}
