namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Floats of packed im2col panels one batched pass of <see cref="GemmJob.RunImagePanelsAvx512"/> keeps (256 KB: the pass stays in L2).</summary>
    private const int BatchedPanelFloats = 1 << 16;

    /// <summary>
    /// How many images one pass of the batched convolution packs, or 0 where it does not apply:
    /// the AVX-512 path, one group, and an odd panel count per image (1 for a 4×4 map), where
    /// image by image the last panel of each runs on the half-width 8×16 tile. Packed back to
    /// back, an image's last panel pairs with the next image's first on the 8×32 tile.
    /// </summary>
    private static int ImagesPerBatchedPass(in ConvShape s, int n, int scratchPerImage)
    {
        var panelsPerImage = (s.P + PanelWidth - 1) / PanelWidth;
        if (n < 2 || s.Group != 1 || panelsPerImage % 2 == 0 || KernelDispatch.Current.Fp32Gemm != KernelPath.Avx512F)
        {
            return 0;
        }

        var images = Math.Min(n, BatchedPanelFloats / scratchPerImage) / 2 * 2;
        return images >= 2 ? images : 0;
    }

    internal readonly unsafe partial struct GemmJob
    {
        /// <summary>
        /// The weights (A, <c>m</c> rows) times the packed panels of <paramref name="images"/>
        /// images laid back to back (<c>⌈n/16⌉</c> panels each, <c>n</c> = one image's pixels),
        /// two panels per 8×32 tile even where they belong to two images: each half of the tile
        /// is stored to its own image's output (<paramref name="outputStride"/> floats apart, <c>ldc</c> = n).
        /// </summary>
        internal void RunImagePanelsAvx512(int images, long outputStride)
        {
            var panelsPerImage = (n + PanelWidth - 1) / PanelWidth;
            var panels = images * panelsPerImage;
            var fullRows = m / ZmmTileRows * ZmmTileRows;
            var tile = stackalloc float[ZmmTileRows * 2 * PanelWidth];
            for (var panel = 0; panel < panels; panel += 2)
            {
                var p0 = packed + (long)panel * PanelWidth * k;
                var out0 = PanelOutput(panel, panelsPerImage, outputStride, out var cols0);
                if (panel + 1 == panels)
                {
                    // An odd panel count over the pass: the last panel alone.
                    RunImageRowsAvx2(0, panel, panelsPerImage, outputStride, p0);
                    break;
                }

                var out1 = PanelOutput(panel + 1, panelsPerImage, outputStride, out var cols1);
                for (var row = 0; row < fullRows; row += ZmmTileRows)
                {
                    Accumulate8x32(a + (long)row * lda, lda, p0, p0 + (long)PanelWidth * k, k, tile);
                    StoreTileAvx512(tile, 2 * PanelWidth, cols0, out0 + (long)row * ldc, row, 0);
                    StoreTileAvx512(tile + PanelWidth, 2 * PanelWidth, cols1, out1 + (long)row * ldc, row, 0);
                }

                RunImageRowsAvx2(fullRows, panel, panelsPerImage, outputStride, p0);
                RunImageRowsAvx2(fullRows, panel + 1, panelsPerImage, outputStride, p0 + (long)PanelWidth * k);
            }
        }

        /// <summary>Where panel <paramref name="panel"/> of the pass stores (its image's output, its columns there) and how many of its columns are real.</summary>
        private float* PanelOutput(int panel, int panelsPerImage, long outputStride, out int cols)
        {
            var col0 = panel % panelsPerImage * PanelWidth;
            cols = Math.Min(PanelWidth, n - col0);
            return c + panel / panelsPerImage * outputStride + col0;
        }

        /// <summary>Rows <paramref name="first"/>.. of panel <paramref name="panel"/> of the pass on the 256-bit tiles, into its image's output.</summary>
        private void RunImageRowsAvx2(int first, int panel, int panelsPerImage, long outputStride, float* p) =>
            new GemmJob(a, lda, packed, k, c + panel / panelsPerImage * outputStride, ldc, m, n, bias, biasPerRow, alpha, act, actMin, actMax)
                .RunRowsAvx2(first, panel % panelsPerImage, p);
    }
}
