using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// One <see cref="GemmJob"/> over spans, with its row strides and bias side: the form the
    /// convolution and attention-head callers use (rows of A and C wider than the product, a bias
    /// per output channel), reachable without pointers.
    /// </summary>
    internal static unsafe void GemmStrided(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> packedB, int k, ReadOnlySpan<float> bias, bool biasPerRow,
        Span<float> c, int ldc, int m, int n, float alpha, int act, float actMin, float actMax)
    {
        fixed (float* pa = a, pb = packedB, pbias = bias, pc = c)
        {
            new GemmJob(pa, lda, pb, k, pc, ldc, m, n, bias.IsEmpty ? null : pbias, biasPerRow, alpha, act, actMin, actMax).Run();
        }
    }

    /// <summary>
    /// The AVX2 + FMA tiles of <see cref="GemmJob"/>: 6 rows × one 16-column panel (12 ymm
    /// accumulators, as MLAS's SgemmKernelFma3), then the 4-row tile and the row kernel for what
    /// is left. Same packed layout as every other path.
    /// </summary>
    internal readonly unsafe partial struct GemmJob
    {
        /// <summary>Rows per AVX2 register tile: 12 accumulators + 2 B vectors + the broadcast = 15 of 16 ymm.</summary>
        private const int YmmTileRows = 6;

        /// <summary>Every row of one panel on the AVX2 tiles.</summary>
        private void RunPanelAvx2(int panel)
        {
            var p = packed + (long)panel * PanelWidth * k;
            var col0 = panel * PanelWidth;
            var cols = Math.Min(PanelWidth, n - col0);
            var cp = c + col0;
            var row = 0;

            // Five rows still beat a 4-row tile plus a row pass; four fill the 4-row tile exactly, and
            // two left over (a CNN's 32 channels) go to two 4-row tiles with the last six rows.
            var sixRowEnd = m % YmmTileRows == 2 && m > YmmTileRows ? m - 2 * TileRows : m;
            var sixRowTiles = sixRowEnd < 5 ? 0 : (sixRowEnd + 1) / YmmTileRows;
            for (var tile = 0; tile < sixRowTiles; tile++, row += YmmTileRows)
            {
                Micro6x16Fma(a + (long)row * lda, p, cp + (long)row * ldc, Math.Min(YmmTileRows, sixRowEnd - row), cols, row, col0,
                    PrefetchStart(p, tile, sixRowTiles, out var prefetchStep), prefetchStep);
            }

            for (; m - row >= 3; row += TileRows)
            {
                Micro4x16Fma(a + (long)row * lda, lda, p, k, cp + (long)row * ldc, ldc, Math.Min(TileRows, m - row), cols, row, col0);
            }

            // One or two rows left (a batch-1 GEMV): a row kernel with four k-phases keeps eight FMAs in flight.
            for (; row < m; row++)
            {
                Micro1x16Fma(a + (long)row * lda, p, k, cp + (long)row * ldc, cols, row, col0);
            }
        }

        /// <summary>Panels up to this size (K ≤ 256) are prefetched whole into L1 by a panel's first tile.</summary>
        private const long L1PanelBytes = 16 * 1024;

        /// <summary>
        /// Where six-row tile <paramref name="tile"/> of <paramref name="tiles"/> prefetches, and the bytes it advances
        /// per k step. A panel of at most <see cref="L1PanelBytes"/>: the first tile fetches the whole next panel
        /// (weights that stream from DRAM at few rows: +8–13% GFLOP/s at 16 rows) and the others touch their own line.
        /// A larger one (the encoder's K = 384 and 1536): each tile fetches its share of the next panel, as one tile
        /// fetching it all overruns the miss buffers and evicts the panel in use from L1; that gave 6–10% on the
        /// encoder's 36 projections at 128 rows (Fp32GemmStackBenchmarks' case; AVX2 Zen 3, p10 and min of 80 runs,
        /// old and new alternated), and kept on the small panels it cost digits_cnn's Winograd GEMMs ~3% at batch 64.
        /// </summary>
        private byte* PrefetchStart(float* panel, int tile, int tiles, out long step)
        {
            var panelBytes = (long)PanelWidth * k * sizeof(float);
            if (panelBytes <= L1PanelBytes)
            {
                step = PanelWidth * sizeof(float);
                return (byte*)panel + (tile == 0 ? panelBytes : 0);
            }

            step = (panelBytes + (long)tiles * k - 1) / ((long)tiles * k);
            return (byte*)panel + panelBytes + panelBytes * tile / tiles;
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro6x16Fma(float* a0, float* p, float* c0, int rows, int cols, int row0, int col0, byte* prefetch, long prefetchStep)
        {
            // Rows past the last repeat row 0: their sums are computed and never stored.
            var a1 = a0 + (rows > 1 ? lda : 0);
            var a2 = a0 + (rows > 2 ? 2 * lda : 0);
            var a3 = a0 + (rows > 3 ? 3 * lda : 0);
            var a4 = a0 + (rows > 4 ? 4 * lda : 0);
            var a5 = a0 + (rows > 5 ? 5 * lda : 0);
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (var kk = 0; kk < k; kk++)
            {
                Sse.Prefetch0(prefetch);
                prefetch += prefetchStep;
                var b0 = Avx.LoadVector256(p);
                var b1 = Avx.LoadVector256(p + 8);
                p += PanelWidth;
                var v = Vector256.Create(a0[kk]);
                c00 = Fma.MultiplyAdd(v, b0, c00); c01 = Fma.MultiplyAdd(v, b1, c01);
                v = Vector256.Create(a1[kk]);
                c10 = Fma.MultiplyAdd(v, b0, c10); c11 = Fma.MultiplyAdd(v, b1, c11);
                v = Vector256.Create(a2[kk]);
                c20 = Fma.MultiplyAdd(v, b0, c20); c21 = Fma.MultiplyAdd(v, b1, c21);
                v = Vector256.Create(a3[kk]);
                c30 = Fma.MultiplyAdd(v, b0, c30); c31 = Fma.MultiplyAdd(v, b1, c31);
                v = Vector256.Create(a4[kk]);
                c40 = Fma.MultiplyAdd(v, b0, c40); c41 = Fma.MultiplyAdd(v, b1, c41);
                v = Vector256.Create(a5[kk]);
                c50 = Fma.MultiplyAdd(v, b0, c50); c51 = Fma.MultiplyAdd(v, b1, c51);
            }

            if (rows == YmmTileRows && cols == PanelWidth)
            {
                var (alphaV, bias0, bias1) = EpilogueVectors(col0);
                StoreRowAvx2(c0, c00, c01, alphaV, bias0, bias1, row0);
                StoreRowAvx2(c0 + ldc, c10, c11, alphaV, bias0, bias1, row0 + 1);
                StoreRowAvx2(c0 + 2 * ldc, c20, c21, alphaV, bias0, bias1, row0 + 2);
                StoreRowAvx2(c0 + 3 * ldc, c30, c31, alphaV, bias0, bias1, row0 + 3);
                StoreRowAvx2(c0 + 4 * ldc, c40, c41, alphaV, bias0, bias1, row0 + 4);
                StoreRowAvx2(c0 + 5 * ldc, c50, c51, alphaV, bias0, bias1, row0 + 5);
                return;
            }

            // Spill the tile once, with nothing else live (see Micro4x16Fma), then the shared epilogue.
            var tile = stackalloc float[YmmTileRows * PanelWidth];
            Avx.Store(tile, c00); Avx.Store(tile + 8, c01); Avx.Store(tile + 16, c10); Avx.Store(tile + 24, c11);
            Avx.Store(tile + 32, c20); Avx.Store(tile + 40, c21); Avx.Store(tile + 48, c30); Avx.Store(tile + 56, c31);
            Avx.Store(tile + 64, c40); Avx.Store(tile + 72, c41); Avx.Store(tile + 80, c50); Avx.Store(tile + 88, c51);
            StoreSpilledTile(tile, rows, cols, c0, ldc, row0, col0);
        }

        /// <summary>The epilogue's alpha and column bias (zero when none or per row) for the 16-column panel at <paramref name="col0"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private (Vector256<float> Alpha, Vector256<float> Bias0, Vector256<float> Bias1) EpilogueVectors(int col0) =>
            bias != null && !biasPerRow
                ? (Vector256.Create(alpha), Avx.LoadVector256(bias + col0), Avx.LoadVector256(bias + col0 + 8))
                : (Vector256.Create(alpha), default, default);

        /// <summary>
        /// One full 16-column row of a register tile through the epilogue (as <see cref="StoreFullTile"/>),
        /// straight from the accumulators: with no call after the k loop the tile is never spilled
        /// (+3–5% GFLOP/s on the K = 32 attention-score product, AVX2 Zen 3).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void StoreRowAvx2(float* cr, Vector256<float> x0, Vector256<float> x1, Vector256<float> alphaV, Vector256<float> bias0, Vector256<float> bias1, int row)
        {
            x0 *= alphaV;
            x1 *= alphaV;
            if (bias != null)
            {
                if (biasPerRow)
                {
                    bias0 = bias1 = Vector256.Create(bias[row]);
                }

                x0 += bias0;
                x1 += bias1;
            }

            Avx.Store(cr, ApplyEpilogue(x0, act, actMin, actMax));
            Avx.Store(cr + 8, ApplyEpilogue(x1, act, actMin, actMax));
        }
    }
}
