using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The most output pixels per plane <see cref="ConvWinograd"/> takes: small late-layer maps,
    /// where per image the im2col and a GEMM one panel wide cost more than the multiplies; larger
    /// planes keep the packed, blocked and direct paths.
    /// </summary>
    private const int WinogradMaxPixels = 64;

    /// <summary>
    /// The fewest input and output channels: the GEMM's k and its panel width. With 8 (a half-empty
    /// panel, 8 k steps per stored tile) the transforms outweigh the saved multiplies: 1.0–1.7× the
    /// packed path at batch 64 (AVX2 Zen 3).
    /// </summary>
    private const int WinogradMinChannels = 16;

    /// <summary>Tiles (GEMM rows) one chunk aims at: enough rows for the 6-row tiles, little enough to stay in L2.</summary>
    private const int WinogradChunkTiles = 32;

    /// <summary>The fewest tiles a batch must give (a lone 4×4 image gives 4, which the packed path runs faster).</summary>
    private const int WinogradMinTiles = 16;

    /// <summary>
    /// The fewest output pixels per plane where a plane runs as bands of tile rows at any batch
    /// (<see cref="WinogradLayout.BandTileRows"/>): large maps, whose direct and packed paths stream
    /// every channel's rows from L2 for each output tile.
    /// </summary>
    private const int WinogradBandMinPixels = 256;

    /// <summary>
    /// How <see cref="ConvWinograd"/> runs a shape: its output tile (2 or 4 pixels square), and where
    /// it keeps what: the transformed weights (one packed B matrix per window value), the bias
    /// padded to whole vectors, then per worker its chunk's padded channel-last input, the
    /// transformed input (one A matrix per value, tile-major), the products and the channel-last output grid.
    /// A chunk is <see cref="ImagesPerChunk"/> whole images of small planes, or on a large plane one
    /// band of <see cref="BandTileRows"/> tile rows of one image (so its buffers stay in L2).
    /// </summary>
    internal readonly record struct WinogradLayout(int Tile, int M, int TilesY, int TilesX, int C8, int M8, int ImagesPerChunk, int Workers, int BandTileRows)
    {
        /// <summary>Values per tile: the (Tile + 2)² window, and so the number of GEMMs.</summary>
        public int Values => (Tile + 2) * (Tile + 2);

        /// <summary>Bands per image: 1 where chunks are whole images.</summary>
        public int Bands => (TilesY + BandTileRows - 1) / BandTileRows;

        /// <summary>Tiles of one image's slot in a chunk: the image's, or its band's.</summary>
        public int TilesPerImage => BandTileRows * TilesX;

        public int ChunkTiles => ImagesPerChunk * TilesPerImage;

        public int PaddedRows => Tile * BandTileRows + 2;

        public int PaddedCols => Tile * TilesX + 2;

        public int GridCols => Tile * TilesX;

        public int PaddedImageFloats => PaddedRows * PaddedCols * C8;

        public int GridImageFloats => Tile * Tile * TilesPerImage * M8;

        /// <summary>Floats from one transformed-weight matrix to the next: a packed B matrix and a cache line (as <see cref="TransformedStride"/>).</summary>
        public int WeightStride => PackedBLength(C8, M) + 16;

        public long SharedFloats => (long)Values * WeightStride + M8;

        public long InputFloats => (long)ImagesPerChunk * PaddedImageFloats;

        /// <summary>
        /// Floats from one transformed-input matrix to the next: a cache line more than the matrix,
        /// so the values of a tile, stored or loaded together, do not all fall in the same L1 sets
        /// (at 2 or 4 KB apart they would, and evict each other).
        /// </summary>
        public int TransformedStride => ChunkTiles * C8 + 16;

        /// <summary>
        /// Floats of a product row. In bands, whole 16-column panels, so every GEMM tile is stored by
        /// its vector epilogue (a partial panel's goes float by float: at det's 24 outputs, a third of
        /// the tiles); the columns past the outputs hold the zero weights' products. Whole small images
        /// keep the 8-column rows their scratch was sized by.
        /// </summary>
        public int ProductRow => BandTileRows < TilesY ? (M + PanelWidth - 1) / PanelWidth * PanelWidth : M8;

        /// <summary>Floats from one product matrix to the next, a cache line more than the matrix (as <see cref="TransformedStride"/>).</summary>
        public int ProductStride => ChunkTiles * ProductRow + 16;

        public long TransformedFloats => (long)Values * TransformedStride;

        public long ProductFloats => (long)Values * ProductStride;

        public long GridFloats => (long)ImagesPerChunk * GridImageFloats;

        public long WorkerFloats => InputFloats + TransformedFloats + ProductFloats + GridFloats;

        public long ScratchFloats => SharedFloats + Workers * WorkerFloats;

        /// <summary>
        /// Whether this CPU's fp32 path runs the Winograd conv: its transforms are ymm code and its GEMMs go through <see cref="GemmJob.RunPanels"/>'s
        /// packed 16-column panels, which both x86 fp32 paths run (AVX-512 CPUs with their zmm tiles:
        /// 4× fewer multiplies than the batched im2col there too, but untimed on AVX-512 hardware).
        /// </summary>
        public static bool RunsOnThisCpu => KernelDispatch.Current.Fp32Gemm is KernelPath.Avx2Fma or KernelPath.Avx512F;

        /// <summary>
        /// The layout <see cref="ConvWinograd"/> runs <paramref name="s"/> at batch <paramref name="n"/>
        /// in <paramref name="scratchFloats"/>, or null where it does not apply: a 3×3 window at unit
        /// strides and dilation, one group, at least 16 input and output channels, a small plane over a
        /// batch giving enough tiles or a large plane (<see cref="WinogradBandMinPixels"/>) at any
        /// batch, an x86 fp32 path (<see cref="RunsOnThisCpu"/>), and a chunk of at least <see cref="WinogradMinTiles"/> tiles fitting the scratch.
        /// </summary>
        public static WinogradLayout? For(in ConvShape s, int n, long scratchFloats)
        {
            if (!RunsOnThisCpu || s.KH != 3 || s.KW != 3 || s.StrideH != 1 || s.StrideW != 1
                || s.DilH != 1 || s.DilW != 1 || s.Group != 1 || s.C < WinogradMinChannels || s.M < WinogradMinChannels
                || (s.P > WinogradMaxPixels && s.P < WinogradBandMinPixels))
            {
                return null;
            }

            if (s.P >= WinogradBandMinPixels)
            {
                return (s.OH % 4 == 0 && s.OW % 4 == 0 ? FitBands(s, n, 4, scratchFloats) : null) ?? FitBands(s, n, 2, scratchFloats);
            }

            // 4×4 tiles (36 GEMMs of a quarter the rows: 2.25 multiplies per output, not 4) where they cover the plane exactly.
            return (s.OH % 4 == 0 && s.OW % 4 == 0 ? Fit(s, n, 4, scratchFloats) : null) ?? Fit(s, n, 2, scratchFloats);
        }

        private static WinogradLayout? Fit(in ConvShape s, int n, int tile, long scratchFloats)
        {
            int tilesY = (s.OH + tile - 1) / tile, tilesX = (s.OW + tile - 1) / tile, perImage = tilesY * tilesX;
            if ((long)n * perImage < WinogradMinTiles)
            {
                return null;
            }

            var images = Math.Min(n, (WinogradChunkTiles + perImage - 1) / perImage);
            var chunks = (n + images - 1) / images;
            var minImages = Math.Min(n, (WinogradMinTiles + perImage - 1) / perImage);
            for (var workers = Math.Min(KernelDispatch.MaxThreads, chunks); workers >= 1; workers--)
            {
                for (var chunk = images; chunk >= minImages; chunk--)
                {
                    var layout = new WinogradLayout(tile, s.M, tilesY, tilesX, (s.C + 7) / 8 * 8, (s.M + 7) / 8 * 8, chunk, workers, tilesY);
                    if (layout.ScratchFloats <= scratchFloats)
                    {
                        return layout;
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// A large plane as bands of whole tile rows, one image a chunk: the band aims at
        /// <see cref="WinogradChunkTiles"/> tiles (at least one tile row), fewer where the scratch is short.
        /// </summary>
        private static WinogradLayout? FitBands(in ConvShape s, int n, int tile, long scratchFloats)
        {
            int tilesY = (s.OH + tile - 1) / tile, tilesX = (s.OW + tile - 1) / tile;
            var aim = Math.Clamp(WinogradChunkTiles / tilesX, 1, tilesY);
            var least = Math.Min(aim, (WinogradMinTiles + tilesX - 1) / tilesX);
            for (var band = aim; band >= least; band--)
            {
                var chunks = (long)n * ((tilesY + band - 1) / band);
                for (var workers = (int)Math.Min(KernelDispatch.MaxThreads, chunks); workers >= 1; workers--)
                {
                    var layout = new WinogradLayout(tile, s.M, tilesY, tilesX, (s.C + 7) / 8 * 8, (s.M + 7) / 8 * 8, 1, workers, band);
                    if (layout.ScratchFloats <= scratchFloats)
                    {
                        return layout;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>Runs <see cref="ConvWinograd"/> where it applies (<see cref="WinogradLayout.For"/>); out of line, so the other paths' calls stay lean.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe bool TryConvWinograd(in ConvShape s, int n, long scratchFloats, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> scratch, int act, float actMin, float actMax)
    {
        if (WinogradLayout.For(s, n, scratchFloats) is not { } layout)
        {
            return false;
        }

        fixed (float* px = x, pw = weights, pb = bias, py = y, ps = scratch)
        {
            ConvWinograd(s, layout, n, px, pw, bias.IsEmpty ? null : pb, py, ps, act, actMin, actMax);
        }

        return true;
    }

    /// <summary>
    /// A 3×3 convolution as Winograd F(2×2, 3×3) or F(4×4, 3×3), small planes over the whole batch, large ones band by band:
    /// each tile of 2×2 (4×4) output pixels reads a 4×4 (6×6) window, which <c>Bᵀ d B</c> turns
    /// into 16 (36) values; then one GEMM per value, (tiles × input channels) by the transformed
    /// weights <c>G g Gᵀ</c> (input channels × output channels), runs on the GEMM tiles with every
    /// image's tiles as rows, and <c>Aᵀ m A</c> turns each tile's sums back into its outputs: 4
    /// (2.25) multiplies per output and channel pair where the im2col GEMM does 9, and no per-image
    /// im2col. On a large plane the direct 3×3 path's 9 multiplies per output stream every channel's rows
    /// from L2 per tile of outputs; F(4×4) in bands ran PP-OCRv4 det's 96 → 24 convs at 80×80 and 40×40
    /// 1.7–2.4× faster (AVX2 Zen 3, one thread, a loaded machine). The transforms run on 8 channels per vector, so the input and output are turned
    /// channel-last around them. The F(2×2) coefficients are 0, ±½ and ±1, the F(4×4) ones up to 8
    /// and 1/24: the results differ from the direct sum by rounding only (within 1e-5 of the sum's magnitude, the tests check).
    /// </summary>
    [SkipLocalsInit]
    internal static unsafe void ConvWinograd(in ConvShape s, in WinogradLayout l, int n, float* x, float* weights, float* bias, float* y, float* scratch,
        int act, float actMin, float actMax)
    {
        var u = scratch;
        var paddedBias = u + (long)l.Values * l.WeightStride;
        TransformWeights(s, l, weights, u);
        new Span<float>(paddedBias, l.M8).Clear();
        if (bias != null)
        {
            new ReadOnlySpan<float>(bias, s.M).CopyTo(new Span<float>(paddedBias, s.M));
        }

        var chunks = (n + l.ImagesPerChunk - 1) / l.ImagesPerChunk * l.Bands;
        var job = new WinogradJob(s, l, n, x, u, paddedBias, y, scratch + l.SharedFloats, act, actMin, actMax);
        if (l.Workers > 1)
        {
            Parallel.For(0, l.Workers, new ParallelOptions { MaxDegreeOfParallelism = l.Workers }, worker => job.RunWorker(worker, chunks));
        }
        else
        {
            job.RunWorker(0, chunks);
        }
    }

    /// <summary>
    /// <c>G</c> of F(2×2, 3×3) and of F(4×4, 3×3), row-major (Tile + 2 rows of 3): what turns a
    /// 3-tap filter into the tile's window of values (Lavin and Gray, "Fast Algorithms for
    /// Convolutional Neural Networks", 2016).
    /// </summary>
    private static readonly float[] WinogradG2 = [1f, 0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0f, 0f, 1f];

    private static readonly float[] WinogradG4 =
    [
        1f / 4, 0f, 0f,
        -1f / 6, -1f / 6, -1f / 6,
        -1f / 6, 1f / 6, -1f / 6,
        1f / 24, 1f / 12, 1f / 6,
        1f / 24, -1f / 12, 1f / 6,
        0f, 0f, 1f,
    ];

    /// <summary>
    /// <c>U = G g Gᵀ</c> of every (output, input) channel pair, each of its values into its own
    /// packed B matrix (input channels × output channels), 8 output channels a vector: their
    /// weights are gathered (the lanes past the last channel repeat it, into columns never stored).
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void TransformWeights(in ConvShape s, in WinogradLayout l, float* weights, float* u)
    {
        if (s.C != l.C8 || s.M % PanelWidth != 0)
        {
            // Rows past the input channels multiply zeros, and must not be NaN; columns past the outputs keep tidy.
            new Span<float>(u, l.Values * l.WeightStride).Clear();
        }

        var alpha = l.Tile + 2;
        var matrix = l.WeightStride;
        var t = stackalloc Vector256<float>[3 * 6];
        // G's coefficients broadcast once.
        var gt = stackalloc Vector256<float>[3 * 6];
        var table = l.Tile == 4 ? WinogradG4 : WinogradG2;
        for (var i = 0; i < table.Length; i++)
        {
            gt[i] = Vector256.Create(table[i]);
        }

        for (var m0 = 0; m0 < s.M; m0 += 8)
        {
            var lanes = Vector256.Min(Vector256.Create(m0) + Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(s.M - 1)) * (s.C * 9);
            // Packed panel of 16 output channels: row c, columns m0 % 16 ...
            var column = u + (long)(m0 / PanelWidth) * l.C8 * PanelWidth + m0 % PanelWidth;
            for (var c = 0; c < s.C; c++)
            {
                var g = weights + (long)c * 9;
                for (var k = 0; k < 3; k++)
                {
                    // G g, column k.
                    var g0 = Avx2.GatherVector256(g + k, lanes, 4);
                    var g1 = Avx2.GatherVector256(g + 3 + k, lanes, 4);
                    var g2 = Avx2.GatherVector256(g + 6 + k, lanes, 4);
                    for (var a = 0; a < alpha; a++)
                    {
                        t[3 * a + k] = gt[3 * a] * g0 + gt[3 * a + 1] * g1 + gt[3 * a + 2] * g2;
                    }
                }

                var dst = column + (long)c * PanelWidth;
                for (var a = 0; a < alpha; a++)
                {
                    // (G g) Gᵀ: the same combination along row a.
                    var (t0, t1, t2) = (t[3 * a], t[3 * a + 1], t[3 * a + 2]);
                    for (var b = 0; b < alpha; b++)
                    {
                        Vector256.Store(gt[3 * b] * t0 + gt[3 * b + 1] * t1 + gt[3 * b + 2] * t2, dst + (long)(a * alpha + b) * matrix);
                    }
                }
            }
        }
    }

    private readonly unsafe partial struct WinogradJob(ConvShape s, WinogradLayout l, int n, float* x, float* u, float* bias, float* y, float* workers,
        int act, float actMin, float actMax)
    {
        /// <summary>Chunks <paramref name="worker"/>, + workers, ... in the worker's own scratch.</summary>
        public void RunWorker(int worker, int chunks)
        {
            var input = workers + worker * l.WorkerFloats;
            var transformed = input + l.InputFloats;
            var products = transformed + l.TransformedFloats;
            var grid = products + l.ProductFloats;
            // The padding (and the channels past C) stays zero: only the input's pixels are written.
            new Span<float>(input, (int)l.InputFloats).Clear();
            for (var chunk = worker; chunk < chunks; chunk += l.Workers)
            {
                // Chunks run image-major, band-minor: the band's first tile row and how many it holds.
                var first = chunk / l.Bands * l.ImagesPerChunk;
                var images = Math.Min(l.ImagesPerChunk, n - first);
                var firstTileRow = chunk % l.Bands * l.BandTileRows;
                var tileRows = Math.Min(l.BandTileRows, l.TilesY - firstTileRow);
                for (var i = 0; i < images; i++)
                {
                    ToPaddedChannelLast(x + (long)(first + i) * s.C * s.H * s.W, input + (long)i * l.PaddedImageFloats, firstTileRow);
                }

                if (l.Tile == 4)
                {
                    TransformInput4(input, transformed, images, tileRows);
                }
                else
                {
                    TransformInput(input, transformed, images, tileRows);
                }

                var tiles = images * tileRows * l.TilesX;
                for (var xi = 0; xi < l.Values; xi++)
                {
                    new GemmJob(transformed + (long)xi * l.TransformedStride, l.C8, u + (long)xi * l.WeightStride, l.C8,
                            products + (long)xi * l.ProductStride, l.ProductRow, tiles, l.ProductRow, null, false, 1f, 0, 0f, 0f)
                        .RunPanels(0, (l.ProductRow + PanelWidth - 1) / PanelWidth);
                }

                if (l.Tile == 4)
                {
                    TransformOutput4(products, grid, images, tileRows);
                }
                else
                {
                    TransformOutput(products, grid, images, tileRows);
                }

                for (var i = 0; i < images; i++)
                {
                    FromChannelLastGrid(grid + (long)i * l.GridImageFloats, y + (long)(first + i) * s.M * s.P, firstTileRow);
                }
            }
        }

        /// <summary>
        /// One image's planes, from tile row <paramref name="firstTileRow"/> on, into the padded grid, channel-last
        /// (pixel (iy, ix) at row iy + padTop − Tile · firstTileRow, column ix + padLeft). A band's rows above or
        /// below the input are cleared: the band before may have left pixels there.
        /// </summary>
        private void ToPaddedChannelLast(float* src, float* dst, int firstTileRow)
        {
            int cols = Math.Min(s.W, l.PaddedCols - s.PadLeft), c8 = l.C8, top = l.Tile * firstTileRow - s.PadTop;
            for (var r = 0; r < l.PaddedRows; r++)
            {
                var line = dst + (long)r * l.PaddedCols * c8;
                var iy = top + r;
                if ((uint)iy < (uint)s.H)
                {
                    TransposeBlock(src + (long)iy * s.W, s.H * s.W, line + (long)s.PadLeft * c8, c8, s.C, cols);
                }
                else if (l.Bands > 1)
                {
                    new Span<float>(line, l.PaddedCols * c8).Clear();
                }
            }
        }

        /// <summary>
        /// F(2×2, 3×3)'s <c>Bᵀ d B</c> of every tile's 4×4 window, 8 channels a vector: value ξ of tile t goes to
        /// row t of A matrix ξ (<c>Bᵀ</c> rows: d0 − d2, d1 + d2, d2 − d1, d1 − d3).
        /// </summary>
        private void TransformInput(float* input, float* transformed, int images, int tileRows)
        {
            int c8 = l.C8, rowStride = l.PaddedCols * c8;
            var matrixStride = (long)l.TransformedStride;
            var t = 0;
            for (var i = 0; i < images; i++)
            {
                for (var ty = 0; ty < tileRows; ty++)
                {
                    for (var tx = 0; tx < l.TilesX; tx++, t++)
                    {
                        var window = input + (long)i * l.PaddedImageFloats + (long)2 * ty * rowStride + 2 * tx * c8;
                        var dst = transformed + (long)t * c8;
                        for (var c = 0; c < c8; c += 8)
                        {
                            var p = window + c;
                            var r0 = Columns(p);
                            var r1 = Columns(p + rowStride);
                            var r2 = Columns(p + 2 * rowStride);
                            var r3 = Columns(p + 3 * rowStride);
                            StoreRow(r0 - r2, dst + c, matrixStride, 0);
                            StoreRow(r1 + r2, dst + c, matrixStride, 4);
                            StoreRow(r2 - r1, dst + c, matrixStride, 8);
                            StoreRow(r1 - r3, dst + c, matrixStride, 12);
                        }
                    }
                }
            }

            // The row's four columns combined along it (· B): d0 − d2, d1 + d2, d2 − d1, d1 − d3.
            Window4 Columns(float* p)
            {
                var d0 = Vector256.Load(p);
                var d1 = Vector256.Load(p + c8);
                var d2 = Vector256.Load(p + 2 * c8);
                var d3 = Vector256.Load(p + 3 * c8);
                return new Window4(d0 - d2, d1 + d2, d2 - d1, d1 - d3);
            }

            static void StoreRow(Window4 row, float* dst, long matrixStride, int xi)
            {
                Vector256.Store(row.V0, dst + xi * matrixStride);
                Vector256.Store(row.V1, dst + (xi + 1) * matrixStride);
                Vector256.Store(row.V2, dst + (xi + 2) * matrixStride);
                Vector256.Store(row.V3, dst + (xi + 3) * matrixStride);
            }
        }

        /// <summary>
        /// F(2×2, 3×3)'s <c>Aᵀ m A</c> of every tile's 16 products, 8 output channels a vector, plus the bias and the
        /// activation, into the channel-last output grid (<c>Aᵀ</c> rows: m0 + m1 + m2, m1 − m2 − m3).
        /// </summary>
        private void TransformOutput(float* products, float* grid, int images, int tileRows)
        {
            int m8 = l.M8, gridCols = 2 * l.TilesX;
            var matrixStride = (long)l.ProductStride;
            var src = products;
            for (var i = 0; i < images; i++)
            {
                for (var ty = 0; ty < tileRows; ty++)
                {
                    for (var tx = 0; tx < l.TilesX; tx++, src += l.ProductRow)
                    {
                        var dst = grid + (long)i * l.GridImageFloats + ((long)2 * ty * gridCols + 2 * tx) * m8;
                        for (var m = 0; m < m8; m += 8)
                        {
                            var p = src + m;
                            var r0 = Rows(p, 0);
                            var r1 = Rows(p, 4);
                            var r2 = Rows(p, 8);
                            var r3 = Rows(p, 12);
                            var top = r0 + r1 + r2;
                            var bottom = r1 - r2 - r3;
                            var b = Vector256.Load(bias + m);
                            var q = dst + m;
                            Vector256.Store(ApplyEpilogue(top.V0 + b, act, actMin, actMax), q);
                            Vector256.Store(ApplyEpilogue(top.V1 + b, act, actMin, actMax), q + m8);
                            Vector256.Store(ApplyEpilogue(bottom.V0 + b, act, actMin, actMax), q + (long)gridCols * m8);
                            Vector256.Store(ApplyEpilogue(bottom.V1 + b, act, actMin, actMax), q + (long)(gridCols + 1) * m8);
                        }
                    }
                }
            }

            // Products ξ .. ξ + 3 (one row of the tile's 4×4) combined along it (· A): their two columns.
            Window4 Rows(float* p, int xi)
            {
                var m0 = Vector256.Load(p + xi * matrixStride);
                var m1 = Vector256.Load(p + (xi + 1) * matrixStride);
                var m2 = Vector256.Load(p + (xi + 2) * matrixStride);
                var m3 = Vector256.Load(p + (xi + 3) * matrixStride);
                return new Window4(m0 + m1 + m2, m1 - m2 - m3, default, default);
            }
        }

        /// <summary>
        /// One image's output grid from tile row <paramref name="firstTileRow"/> on (channel-last, the rows and
        /// columns past the output or the band dropped) into its NCHW planes.
        /// </summary>
        private void FromChannelLastGrid(float* grid, float* dst, int firstTileRow)
        {
            int gridCols = l.GridCols, top = l.Tile * firstTileRow, end = Math.Min(s.OH, top + l.Tile * l.BandTileRows);
            for (var oy = top; oy < end; oy++)
            {
                TransposeBlock(grid + (long)(oy - top) * gridCols * l.M8, l.M8, dst + (long)oy * s.OW, s.P, s.OW, s.M);
            }
        }
    }

    /// <summary>Four vectors: a window row's four combined columns, or (V0, V1) a tile row's two outputs.</summary>
    private readonly record struct Window4(Vector256<float> V0, Vector256<float> V1, Vector256<float> V2, Vector256<float> V3)
    {
        public static Window4 operator +(Window4 a, Window4 b) => new(a.V0 + b.V0, a.V1 + b.V1, a.V2 + b.V2, a.V3 + b.V3);

        public static Window4 operator -(Window4 a, Window4 b) => new(a.V0 - b.V0, a.V1 - b.V1, a.V2 - b.V2, a.V3 - b.V3);
    }

    /// <summary>
    /// <c>dst[j · dstStride + i] = src[i · srcStride + j]</c> for <paramref name="rows"/> × <paramref name="cols"/>:
    /// 8×8 blocks through ymm registers on AVX (a large plane's rows of 8 channels in one pass), then 4×4
    /// blocks, the edges one float at a time.
    /// </summary>
    private static unsafe void TransposeBlock(float* src, int srcStride, float* dst, int dstStride, int rows, int cols)
    {
        var i = 0;
        // Rows shorter than 8 (a small plane's 4 columns) stay on the 4×4 blocks: 8-row passes would copy them float by float.
        if (Avx.IsSupported && cols >= 8)
        {
            for (; i + 8 <= rows; i += 8)
            {
                var j = 0;
                for (; j + 8 <= cols; j += 8)
                {
                    Transpose8x8(src + (long)i * srcStride + j, srcStride, dst + (long)j * dstStride + i, dstStride);
                }

                for (; j + 4 <= cols; j += 4)
                {
                    Transpose4x4(src + (long)i * srcStride + j, srcStride, dst + (long)j * dstStride + i, dstStride);
                    Transpose4x4(src + (long)(i + 4) * srcStride + j, srcStride, dst + (long)j * dstStride + i + 4, dstStride);
                }

                for (; j < cols; j++)
                {
                    for (var r = i; r < i + 8; r++)
                    {
                        dst[(long)j * dstStride + r] = src[(long)r * srcStride + j];
                    }
                }
            }
        }

        for (; i + 4 <= rows; i += 4)
        {
            var j = 0;
            for (; j + 4 <= cols; j += 4)
            {
                Transpose4x4(src + (long)i * srcStride + j, srcStride, dst + (long)j * dstStride + i, dstStride);
            }

            for (; j < cols; j++)
            {
                for (var r = i; r < i + 4; r++)
                {
                    dst[(long)j * dstStride + r] = src[(long)r * srcStride + j];
                }
            }
        }

        for (; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                dst[(long)j * dstStride + i] = src[(long)i * srcStride + j];
            }
        }
    }
}
