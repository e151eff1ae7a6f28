using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Floats of packed im2col one block of <see cref="ConvBlocking"/> holds (256 KB, half the L2): the block,
    /// the weights' rows a tile reads and the output tile stay in L2 while the GEMM runs over it.
    /// </summary>
    private const int ConvBlockFloats = 1 << 16;

    /// <summary>The most pixels a block takes (few im2col rows would give huge blocks and segment tables).</summary>
    private const int MaxConvBlockPixels = 1024;

    /// <summary>The most workers a lone image's blocks split over: the blocks' scratch is reserved for this many, whatever the machine.</summary>
    private const int MaxConvBlockWorkers = 8;

    /// <summary>
    /// How a convolution too large to pack whole in cache runs block by block: its input is read
    /// in place or from a zero-padded copy (<see cref="PaddedFloats"/> floats at the start of the
    /// image's scratch slot), and each block of <see cref="BlockPixels"/> output pixels is packed
    /// into a worker's buffer (<see cref="BlockFloats"/> floats after the copy) and multiplied at
    /// once, while it is still in L2. Unpadded 1×1 convolutions read their input in place: the
    /// packing is their only pass besides the GEMM.
    /// </summary>
    internal readonly record struct ConvBlocking(int BlockPixels, int RowStride, int PlaneStride, long PaddedFloats, long BlockFloats, int Workers)
    {
        public bool Applies => BlockPixels > 0;

        public bool Padded => PaddedFloats > 0;

        public int Blocks(in ConvShape s) => (s.P + BlockPixels - 1) / BlockPixels;

        /// <summary>
        /// The blocking of <paramref name="s"/>, or none where its packed im2col fits one block
        /// (the whole-image path keeps it in cache already) or the copy and one block per worker
        /// do not fit the image's scratch (the im2col's, several times larger for every such shape).
        /// </summary>
        public static ConvBlocking For(in ConvShape s, long scratchPerImage, int maxWorkers)
        {
            if ((long)s.K * s.P <= 2 * ConvBlockFloats)
            {
                return default;
            }

            const int pair = 2 * PanelWidth;
            var pixels = Math.Clamp(ConvBlockFloats / s.K / pair * pair, pair, MaxConvBlockPixels);
            // The padded plane holds every input pixel a window reads, the rows and columns of padding included.
            var rows = (s.OH - 1) * s.StrideH + (s.KH - 1) * s.DilH + 1;
            var cols = (s.OW - 1) * s.StrideW + (s.KW - 1) * s.DilW + 1;
            var inPlace = s.PadTop == 0 && s.PadLeft == 0 && rows <= s.H && cols <= s.W && s.StrideW == 1;
            // A strided gather reads up to a vector past the last pixel it takes: slack after the copy.
            var padded = inPlace ? 0 : (long)s.C * rows * cols + 2 * Vector512<float>.Count;
            var blockFloats = (long)s.K * ((pixels + PanelWidth - 1) / PanelWidth * PanelWidth);
            var blocks = (s.P + pixels - 1) / pixels * s.Group;
            var workers = (int)Math.Min(Math.Min(maxWorkers, blocks), (scratchPerImage - padded) / blockFloats);
            return workers < 1
                ? default
                : new ConvBlocking(pixels, inPlace ? s.W : cols, inPlace ? s.H * s.W : rows * cols, padded, blockFloats, workers);
        }

        /// <summary>
        /// Floats of scratch one image of <paramref name="s"/> needs where it runs blocked given its
        /// whole <paramref name="im2col"/>, on any CPU and thread count: the copy and a block for each of
        /// <see cref="MaxConvBlockWorkers"/> (the direct 3×3 path's copy fits in that too); otherwise
        /// the im2col. Not for the shapes another path may take whole on some CPU: groups (depthwise)
        /// and planes the permute im2col covers (its table, widest on AVX-512, fits).
        /// </summary>
        public static long ScratchFloats(in ConvShape s, long im2col)
        {
            if (s.Group != 1 || Im2ColPermuteTable.Length(s, 16) <= MaxPermuteTableInts)
            {
                return im2col;
            }

            var blocking = For(s, im2col, MaxConvBlockWorkers);
            return blocking.Applies
                ? Math.Max(blocking.PaddedFloats + blocking.Workers * blocking.BlockFloats, Direct3x3ScratchFloats(s))
                : im2col;
        }
    }

    private readonly unsafe partial struct ConvJob
    {
        /// <summary>
        /// Image <paramref name="image"/> block by block in the scratch of image <paramref name="slot"/>;
        /// a lone image's blocks split over <see cref="ConvBlocking.Workers"/> threads.
        /// </summary>
        private void RunImageBlocked(int image, int slot)
        {
            var slotScratch = scratch + (long)slot * scratchPerImage;
            var input = x + (long)image * s.C * s.H * s.W;
            if (Blocking.Padded)
            {
                CopyPadded(s, input, slotScratch, Blocking.RowStride, Blocking.PlaneStride);
                input = slotScratch;
            }

            var tasks = Blocking.Blocks(s) * s.Group;
            if (Blocking.Workers > 1 && parallelGemm && (long)s.M * s.P * s.K >= 1 << 21)
            {
                RunBlocksInParallel(this, image, input, slotScratch + Blocking.PaddedFloats, tasks, Blocking.Workers);
            }
            else
            {
                RunBlocks(image, input, slotScratch + Blocking.PaddedFloats, 0, tasks);
            }
        }

        // Apart so the closure is allocated only when the work is split.
        private static void RunBlocksInParallel(ConvJob job, int image, float* input, float* buffers, int tasks, int workers)
        {
            var chunk = (tasks + workers - 1) / workers;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                w => job.RunBlocks(image, input, buffers + w * job.Blocking.BlockFloats, w * chunk, Math.Min(tasks, (w + 1) * chunk)));
        }

        /// <summary>Blocks <paramref name="first"/>..<paramref name="end"/> (group-major) of one image, packed into <paramref name="packed"/>.</summary>
        private void RunBlocks(int image, float* input, float* packed, int first, int end)
        {
            var blocks = Blocking.Blocks(s);
            // The blocks split over threads, not a block's GEMM: small k takes its kernel whatever the thread count.
            var smallK = RunsAsSmallK(s.K);
            for (var task = first; task < end; task++)
            {
                var g = task / blocks;
                var pixel = task % blocks * Blocking.BlockPixels;
                var count = Math.Min(Blocking.BlockPixels, s.P - pixel);
                PackConvBlock(s, input + (long)g * s.CPerGroup * Blocking.PlaneStride, Blocking.RowStride, Blocking.PlaneStride, pixel, count, packed);
                var yg = y + ((long)image * s.M + g * s.MPerGroup) * s.P + pixel;
                var wg = weights + (long)g * s.MPerGroup * s.K;
                var groupBias = bias == null ? null : bias + g * s.MPerGroup;
                if (smallK)
                {
                    ConvSmallK(packed, wg, groupBias, yg, s.K, count, s.MPerGroup, act, actMin, actMax, s.P);
                    continue;
                }

                new GemmJob(wg, s.K, packed, s.K, yg, s.P, s.MPerGroup, count, groupBias, true, 1f, act, actMin, actMax)
                    .RunPanels(0, (count + PanelWidth - 1) / PanelWidth);
            }
        }
    }

    /// <summary>
    /// Copies image <paramref name="x"/> into planes of <paramref name="rowStride"/> × rows that
    /// hold every pixel a window reads, the padding as zeros (plane row 0 is input row −PadTop).
    /// </summary>
    private static unsafe void CopyPadded(in ConvShape s, float* x, float* padded, int rowStride, int planeStride)
    {
        var rows = planeStride / rowStride;
        var count = Math.Min(s.W, rowStride - s.PadLeft);
        for (var ci = 0; ci < s.C; ci++)
        {
            var plane = padded + (long)ci * planeStride;
            var src = x + (long)ci * s.H * s.W;
            for (var r = 0; r < rows; r++)
            {
                var line = plane + (long)r * rowStride;
                var iy = r - s.PadTop;
                if ((uint)iy >= (uint)s.H || count <= 0)
                {
                    new Span<float>(line, rowStride).Clear();
                    continue;
                }

                new Span<float>(line, s.PadLeft).Clear();
                CopyFloats(src + (long)iy * s.W, line + s.PadLeft, count);
                new Span<float>(line + s.PadLeft + count, rowStride - s.PadLeft - count).Clear();
            }
        }

        // The gathers' slack past the last plane.
        new Span<float>(padded + (long)s.C * planeStride, 2 * Vector512<float>.Count).Clear();
    }

    /// <summary>
    /// Packs output pixels <paramref name="pixel"/>.. (<paramref name="count"/>) of one group's
    /// im2col into GEMM panels. The pixels split into segments that stay on one output line and
    /// in one panel; each (segment, im2col row) is then one copy from the input planes (which
    /// hold the padding), 16 floats at once for a whole panel of a unit-stride line.
    /// </summary>
    internal static unsafe void PackConvBlock(in ConvShape s, float* input, int rowStride, int planeStride, int pixel, int count, float* packed)
    {
        var k = s.K;
        var panelFloats = (long)k * PanelWidth;
        var q = 0;
        while (q < count)
        {
            var oy = (pixel + q) / s.OW;
            var ox = (pixel + q) % s.OW;
            var slot = q % PanelWidth;
            var length = Math.Min(Math.Min(s.OW - ox, PanelWidth - slot), count - q);
            var src = input + (long)oy * s.StrideH * rowStride + (long)ox * s.StrideW;
            var dst = packed + q / PanelWidth * panelFloats + slot;
            PackSegment(s, src, rowStride, planeStride, dst, length);
            q += length;
        }

        if (count % PanelWidth != 0)
        {
            // The last panel's padding columns.
            var tail = packed + count / PanelWidth * panelFloats;
            for (var row = 0; row < k; row++)
            {
                new Span<float>(tail + (long)row * PanelWidth + count % PanelWidth, PanelWidth - count % PanelWidth).Clear();
            }
        }
    }

    /// <summary>One segment of <paramref name="length"/> pixels for every im2col row: row r's floats go to <c>dst + 16 r</c>.</summary>
    private static unsafe void PackSegment(in ConvShape s, float* src, int rowStride, int planeStride, float* dst, int length)
    {
        var tapRow = (long)s.DilH * rowStride;
        for (var ci = 0; ci < s.CPerGroup; ci++)
        {
            var plane = src + (long)ci * planeStride;
            for (var ky = 0; ky < s.KH; ky++)
            {
                var line = plane + ky * tapRow;
                for (var kx = 0; kx < s.KW; kx++, dst += PanelWidth)
                {
                    var from = line + kx * s.DilW;
                    if (s.StrideW == 1)
                    {
                        if (length == PanelWidth)
                        {
                            Vector256.Store(Vector256.Load(from), dst);
                            Vector256.Store(Vector256.Load(from + 8), dst + 8);
                        }
                        else
                        {
                            CopyFloats(from, dst, length);
                        }
                    }
                    else if (s.StrideW == 2 && length == PanelWidth && KernelDispatch.Current.Fp32Gemm == KernelPath.Avx512F)
                    {
                        // Even lanes of 32 floats (the slack after the copy covers the last one's odd lane).
                        Avx512Ops.Store(dst, Avx512Ops.PermuteVar16x32x2(Avx512Ops.LoadVector512(from), EvenLanes, Avx512Ops.LoadVector512(from + 16)));
                    }
                    else
                    {
                        for (var j = 0; j < length; j++)
                        {
                            dst[j] = from[(long)j * s.StrideW];
                        }
                    }
                }
            }
        }
    }

    private static Vector512<int> EvenLanes => Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
