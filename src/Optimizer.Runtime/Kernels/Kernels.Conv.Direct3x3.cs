using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Whether a convolution runs as <see cref="ConvJob.RunImageDirect3x3"/>: a 3×3 window at unit
    /// strides and dilation, one group, on the AVX2 tiles, large enough to run blocked
    /// (<paramref name="blocking"/>) and at least two panels wide (a narrower line leaves most of
    /// the tile's columns idle; the packed path fills them across lines).
    /// </summary>
    internal static bool RunsAsDirect3x3(in ConvShape s, in ConvBlocking blocking, int scratchPerImage) =>
        blocking.Applies && Direct3x3ScratchFloats(s) <= scratchPerImage && s.KH == 3 && s.KW == 3 && s.StrideH == 1 && s.StrideW == 1 && s.DilH == 1 && s.DilW == 1
        && s.Group == 1 && s.OW >= 2 * PanelWidth && KernelDispatch.Current.Fp32Gemm == KernelPath.Avx2Fma;

    /// <summary>
    /// Floats of scratch one image of <see cref="ConvJob.RunImageDirect3x3"/> needs: its input
    /// copied with the padding (<see cref="CopyPadded"/>) and its slack (which the last line's
    /// partial segment reads past the end of the copy; those columns are not stored).
    /// </summary>
    private static long Direct3x3ScratchFloats(in ConvShape s) => (long)s.C * (s.OH + 2) * (s.OW + 2) + 2 * Vector512<float>.Count;

    private readonly unsafe partial struct ConvJob
    {
        public bool Direct3x3 => RunsAsDirect3x3(s, Blocking, scratchPerImage);

        /// <summary>
        /// Image <paramref name="image"/> as an implicit GEMM: the input is copied once with its
        /// padding into the scratch of image <paramref name="slot"/>, and each tile of 6 output
        /// channels × 16 pixels of one output line reads its B columns straight from the padded
        /// rows (tap (ky, kx) of channel ci is the 16 floats at row oy + ky, column ox + kx), so
        /// no im2col is packed. The k order is the im2col's, so the sums are the packed GEMM's bits.
        /// </summary>
        public void RunImageDirect3x3(int image, int slot)
        {
            var padded = scratch + (long)slot * scratchPerImage;
            int rowStride = s.OW + 2, planeStride = (s.OH + 2) * rowStride;
            CopyPadded(s, x + (long)image * s.C * s.H * s.W, padded, rowStride, planeStride);
            var gemm = new GemmJob(weights, s.K, padded, s.K, y + (long)image * s.M * s.P, s.P, s.M, s.P, bias, true, 1f, act, actMin, actMax);
            var workers = Math.Min(parallelGemm ? KernelDispatch.MaxThreads : 1, s.OH);
            if (workers > 1 && (long)s.M * s.P * s.K >= 1 << 21)
            {
                RunLinesInParallel(gemm, s, workers);
            }
            else
            {
                gemm.RunDirect3x3Lines(s.C, s.OW, rowStride, planeStride, 0, s.OH);
            }
        }

        // Apart so the closure is allocated only when the work is split.
        private static void RunLinesInParallel(GemmJob gemm, ConvShape s, int workers)
        {
            var chunk = (s.OH + workers - 1) / workers;
            int rowStride = s.OW + 2, planeStride = (s.OH + 2) * rowStride;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                w => gemm.RunDirect3x3Lines(s.C, s.OW, rowStride, planeStride, w * chunk, Math.Min(s.OH, (w + 1) * chunk)));
        }
    }

    internal readonly unsafe partial struct GemmJob
    {
        /// <summary>
        /// Output lines <paramref name="first"/>..<paramref name="end"/> of a 3×3 unit-stride
        /// convolution whose padded input planes (<paramref name="rowStride"/> × rows) start at
        /// the job's B pointer: per line, per tile of 6 channels (the last may hold fewer), every 16-pixel segment.
        /// </summary>
        public void RunDirect3x3Lines(int channels, int ow, int rowStride, int planeStride, int first, int end)
        {
            for (var oy = first; oy < end; oy++)
            {
                // Channel tiles outside: a tile's weight rows stay in L1 over the line's segments.
                for (var row = 0; row < m; row += YmmTileRows)
                {
                    for (var ox = 0; ox < ow; ox += PanelWidth)
                    {
                        var src = packed + (long)oy * rowStride + ox;
                        var pixel = oy * ow + ox;
                        var cols = Math.Min(PanelWidth, ow - ox);
                        var rows = Math.Min(YmmTileRows, m - row);
                        if (cols <= PanelWidth / 2)
                        {
                            // A line's last few pixels: the half-width tile wastes no FMAs on columns past the line.
                            Direct3x3HalfTile(a + (long)row * lda, src, channels, rowStride, planeStride, c + (long)row * ldc + pixel, rows, cols, row, pixel);
                            continue;
                        }

                        Direct3x3Tile(a + (long)row * lda, src, channels, rowStride, planeStride, c + (long)row * ldc + pixel, rows, cols, row, pixel);
                    }
                }
            }
        }

        /// <summary>
        /// <see cref="Micro6x16Fma"/> with its B rows read from the padded planes: the 9 taps of a
        /// channel are unrolled, three rows of three shifted loads.
        /// </summary>
        [SkipLocalsInit] // the tile is written whole before it is read
        private void Direct3x3Tile(float* a0, float* src, int channels, int rowStride, int planeStride, float* c0, int rows, int cols, int row0, int col0)
        {
            // Rows past the last repeat row 0: their sums are computed and never stored.
            var a1 = a0 + (rows > 1 ? lda : 0);
            var a2 = a0 + (rows > 2 ? 2 * lda : 0);
            var a3 = a0 + (rows > 3 ? 3 * lda : 0);
            var a4 = a0 + (rows > 4 ? 4 * lda : 0);
            var a5 = a0 + (rows > 5 ? 5 * lda : 0);
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            var kk = 0;
            for (var ci = 0; ci < channels; ci++, src += planeStride)
            {
                var line = src;
                for (var ky = 0; ky < 3; ky++, line += rowStride)
                {
                    for (var kx = 0; kx < 3; kx++, kk++)
                    {
                        var b0 = Avx.LoadVector256(line + kx);
                        var b1 = Avx.LoadVector256(line + kx + 8);
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
                }
            }

            // Spill the tile once, with nothing else live (see Micro4x16Fma), then the shared epilogue.
            var tile = stackalloc float[YmmTileRows * PanelWidth];
            Avx.Store(tile, c00); Avx.Store(tile + 8, c01); Avx.Store(tile + 16, c10); Avx.Store(tile + 24, c11);
            Avx.Store(tile + 32, c20); Avx.Store(tile + 40, c21); Avx.Store(tile + 48, c30); Avx.Store(tile + 56, c31);
            Avx.Store(tile + 64, c40); Avx.Store(tile + 72, c41); Avx.Store(tile + 80, c50); Avx.Store(tile + 88, c51);
            StoreSpilledTile(tile, rows, cols, c0, ldc, row0, col0);
        }

        /// <summary><see cref="Direct3x3Tile"/> over 8 pixels (<paramref name="cols"/> ≤ 8 stored): 6 accumulators, one B load per tap.</summary>
        [SkipLocalsInit] // the tile is written whole before it is read
        private void Direct3x3HalfTile(float* a0, float* src, int channels, int rowStride, int planeStride, float* c0, int rows, int cols, int row0, int col0)
        {
            var a1 = a0 + (rows > 1 ? lda : 0);
            var a2 = a0 + (rows > 2 ? 2 * lda : 0);
            var a3 = a0 + (rows > 3 ? 3 * lda : 0);
            var a4 = a0 + (rows > 4 ? 4 * lda : 0);
            var a5 = a0 + (rows > 5 ? 5 * lda : 0);
            Vector256<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default;
            var kk = 0;
            for (var ci = 0; ci < channels; ci++, src += planeStride)
            {
                var line = src;
                for (var ky = 0; ky < 3; ky++, line += rowStride)
                {
                    for (var kx = 0; kx < 3; kx++, kk++)
                    {
                        var b0 = Avx.LoadVector256(line + kx);
                        c00 = Fma.MultiplyAdd(Vector256.Create(a0[kk]), b0, c00);
                        c10 = Fma.MultiplyAdd(Vector256.Create(a1[kk]), b0, c10);
                        c20 = Fma.MultiplyAdd(Vector256.Create(a2[kk]), b0, c20);
                        c30 = Fma.MultiplyAdd(Vector256.Create(a3[kk]), b0, c30);
                        c40 = Fma.MultiplyAdd(Vector256.Create(a4[kk]), b0, c40);
                        c50 = Fma.MultiplyAdd(Vector256.Create(a5[kk]), b0, c50);
                    }
                }
            }

            // The tile keeps its 16-float rows (columns 8.. unused), the layout StoreTile reads.
            var tile = stackalloc float[YmmTileRows * PanelWidth];
            Avx.Store(tile, c00); Avx.Store(tile + 16, c10); Avx.Store(tile + 32, c20);
            Avx.Store(tile + 48, c30); Avx.Store(tile + 64, c40); Avx.Store(tile + 80, c50);
            StoreTile(tile, rows, cols, c0, ldc, row0, col0);
        }
    }
}
