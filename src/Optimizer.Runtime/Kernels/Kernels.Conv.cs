using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Floats of scratch one image of a <see cref="Conv"/> needs: its packed im2col matrix, or
    /// less where it runs block by block on every CPU (<see cref="ConvBlocking.ScratchFloats"/>).
    /// </summary>
    public static int ConvScratchLength(int c, int h, int w, int kh, int kw, int oh, int ow, int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int group)
    {
        var im2col = PackedBLength(c / group * kh * kw, oh * ow);
        var shape = new ConvShape(c, h, w, group, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, group);
        return (int)Math.Min(im2col, ConvBlocking.ScratchFloats(shape, im2col));
    }

    /// <summary>
    /// 2-D convolution, NCHW: x <c>[n, c, h, w]</c>, weights <c>[m, c/group, kh, kw]</c> as
    /// stored by ONNX, bias <c>[m]</c> or empty, y <c>[n, m, oh, ow]</c>. Each image and group
    /// is an im2col packed straight into GEMM panels (scratch: <c>n · ConvScratchLength</c>
    /// floats), then one GEMM with the weights as the A operand; large ones block by block
    /// (<see cref="ConvBlocking"/>), and on AVX2 a large 3×3 unit-stride one as a direct implicit
    /// GEMM over its padded input (<see cref="RunsAsDirect3x3"/>); a batch of small 3×3 planes as
    /// Winograd tiles of all its images, and a large 3×3 plane (at least 16 channels in and out) at any
    /// batch as Winograd tiles in bands of tile rows (<see cref="ConvWinograd"/>). Images run in parallel.
    /// </summary>
    public static unsafe void Conv(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch,
        int n, int c, int h, int w, int m, int kh, int kw, int oh, int ow, int padTop, int padLeft,
        int strideH, int strideW, int dilH, int dilW, int group, int act, float actMin, float actMax)
    {
        var shape = new ConvShape(c, h, w, m, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, group);
        var scratchPerImage = ConvScratchLength(c, h, w, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, group);
        // Small 3×3 planes over a batch, large ones at any batch (in bands of tile rows): Winograd tiles as the GEMM rows
        // (disjoint from the few-channel and depthwise paths).
        if ((n > 1 || shape.P >= WinogradBandMinPixels) && TryConvWinograd(shape, n, Math.Min(scratch.Length, (long)n * scratchPerImage), x, weights, bias, y, scratch, act, actMin, actMax))
        {
            return;
        }

        fixed (float* px = x, pw = weights, pb = bias, py = y, ps = scratch)
        {
            if (RunsAsFewChannels(shape, scratchPerImage))
            {
                new FewChannelsJob(shape, px, pw, bias.IsEmpty ? null : pb, py, ps, scratchPerImage, act, actMin, actMax).Run(n);
                return;
            }

            if (RunsAsDepthwise(shape, scratchPerImage))
            {
                var depthwise = new DepthwiseJob(shape, px, pw, bias.IsEmpty ? null : pb, py, ps, scratchPerImage, act, actMin, actMax);
                if (n > 1 && KernelDispatch.MaxThreads > 1)
                {
                    RunDepthwiseInParallel(depthwise, n);
                }
                else
                {
                    depthwise.RunImages(0, n, 0);
                }

                return;
            }

            // Small planes: the im2col as register permutes.
            var table = PermuteTableFor(shape);
            var job = new ConvJob(shape, px, pw, bias.IsEmpty ? null : pb, py, ps, scratchPerImage, table, act, actMin, actMax, n == 1);
            var batched = job.SmallK || job.Blocking.Applies ? 0 : ImagesPerBatchedPass(shape, n, scratchPerImage);
            if (n > 1 && KernelDispatch.MaxThreads > 1)
            {
                RunImagesInParallel(job, n);
            }
            else if (batched > 0)
            {
                for (var first = 0; first < n; first += batched)
                {
                    job.RunImagesPacked(first, Math.Min(batched, n - first));
                }
            }
            else
            {
                // One thread: every image reuses the first image's scratch, which stays in cache.
                for (var i = 0; i < n; i++)
                {
                    job.RunImage(i, 0);
                }
            }
        }
    }

    internal readonly record struct ConvShape(int C, int H, int W, int M, int KH, int KW, int OH, int OW,
        int PadTop, int PadLeft, int StrideH, int StrideW, int DilH, int DilW, int Group)
    {
        public int CPerGroup => C / Group;

        public int MPerGroup => M / Group;

        public int K => CPerGroup * KH * KW;

        public int P => OH * OW;
    }

    private static void RunImagesInParallel(ConvJob job, int n) =>
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = KernelDispatch.MaxThreads }, i => job.RunImage(i, i));

    private readonly unsafe partial struct ConvJob(ConvShape s, float* x, float* weights, float* bias, float* y, float* scratch, int scratchPerImage,
        Im2ColPermuteTable table, int act, float actMin, float actMax, bool parallelGemm)
    {
        /// <summary>Whether <see cref="ConvSmallK"/> runs it: on the caller's thread, so a lone image that may split its GEMM over threads keeps the GEMM.</summary>
        public bool SmallK { get; } = RunsAsSmallK(s.K) && (!parallelGemm || KernelDispatch.MaxThreads == 1);

        /// <summary>Whether (and how) each image runs block by block (<see cref="RunImageBlocked"/>): not where the small-plane permute packs it.</summary>
        public ConvBlocking Blocking { get; } = table.Applies ? default : ConvBlocking.For(s, scratchPerImage, parallelGemm ? KernelDispatch.MaxThreads : 1);

        /// <summary>
        /// Images <paramref name="first"/>.. (<paramref name="count"/>, one group), each packed into
        /// its own scratch slot: the slots lie back to back as one packed matrix, which one
        /// GEMM over all their panels multiplies (<see cref="GemmJob.RunImagePanelsAvx512"/>).
        /// </summary>
        public void RunImagesPacked(int first, int count)
        {
            for (var i = 0; i < count; i++)
            {
                Im2ColPacked(s, x + (long)(first + i) * s.C * s.H * s.W, scratch + (long)i * scratchPerImage, table);
            }

            var imageOutput = (long)s.M * s.P;
            new GemmJob(weights, s.K, scratch, s.K, y + first * imageOutput, s.P, s.M, s.P, bias, true, 1f, act, actMin, actMax)
                .RunImagePanelsAvx512(count, imageOutput);
        }

        /// <summary>Image <paramref name="image"/>, with the scratch of image <paramref name="slot"/>.</summary>
        public void RunImage(int image, int slot)
        {
            if (Direct3x3)
            {
                RunImageDirect3x3(image, slot);
                return;
            }

            if (Blocking.Applies)
            {
                RunImageBlocked(image, slot);
                return;
            }

            var packed = scratch + (long)slot * scratchPerImage;
            for (var g = 0; g < s.Group; g++)
            {
                var xg = x + ((long)image * s.C + g * s.CPerGroup) * s.H * s.W;
                Im2ColPacked(s, xg, packed, table);
                var yg = y + ((long)image * s.M + g * s.MPerGroup) * s.P;
                var wg = weights + (long)g * s.MPerGroup * s.K;
                var groupBias = bias == null ? null : bias + g * s.MPerGroup;
                if (SmallK)
                {
                    ConvSmallK(packed, wg, groupBias, yg, s.K, s.P, s.MPerGroup, act, actMin, actMax, s.P);
                    continue;
                }

                var job = new GemmJob(wg, s.K, packed, s.K, yg, s.P, s.MPerGroup, s.P,
                    groupBias, true, 1f, act, actMin, actMax);
                if (parallelGemm)
                {
                    job.Run();
                }
                else
                {
                    job.RunPanels(0, (s.P + PanelWidth - 1) / PanelWidth);
                }
            }
        }
    }

    /// <summary>Writes the im2col matrix <c>[K, P]</c> of one image and group directly in packed-panel order.</summary>
    internal static unsafe void Im2ColPacked(in ConvShape s, float* x, float* packed, in Im2ColPermuteTable table)
    {
        if (table.Applies)
        {
            Im2ColPermuted(s, x, packed, table);
            return;
        }

        var planeRows = s.OH + (s.KH - 1) * s.DilH;
        if (s.StrideH == 1 && s.StrideW == 1 && (long)s.KW * planeRows * s.OW <= MaxPaddedPlaneFloats)
        {
            Im2ColPackedShifted(s, x, packed, planeRows);
            return;
        }

        var rowWidth = s.OW + (s.KW - 1);
        if (s.StrideW == 1 && s.DilW == 1 && (s.H + 1) * rowWidth <= MaxPaddedPlaneFloats)
        {
            Im2ColPackedRows(s, x, packed, rowWidth);
            return;
        }

        var k = s.K;
        var p = s.P;
        var panels = (p + PanelWidth - 1) / PanelWidth;
        var panelStride = (long)k * PanelWidth;
        var row = 0;
        for (var ci = 0; ci < s.CPerGroup; ci++)
        {
            var plane = x + (long)ci * s.H * s.W;
            for (var ky = 0; ky < s.KH; ky++)
            {
                for (var kx = 0; kx < s.KW; kx++, row++)
                {
                    // Walk the pixels in order; the destination moves one slot, and to the next panel every 16.
                    var dst = packed + row * PanelWidth;
                    var slot = 0;
                    for (var oy = 0; oy < s.OH; oy++)
                    {
                        var iy = oy * s.StrideH - s.PadTop + ky * s.DilH;
                        var rowInside = (uint)iy < (uint)s.H;
                        var src = plane + (long)iy * s.W;
                        var ix = -s.PadLeft + kx * s.DilW;
                        for (var ox = 0; ox < s.OW; ox++, ix += s.StrideW)
                        {
                            dst[slot] = rowInside && (uint)ix < (uint)s.W ? src[ix] : 0f;
                            if (++slot == PanelWidth)
                            {
                                slot = 0;
                                dst += panelStride;
                            }
                        }
                    }

                    // Zero the padding columns of the last panel.
                    for (var pixel = p; pixel < panels * PanelWidth; pixel++)
                    {
                        dst[slot++] = 0f;
                    }
                }
            }
        }
    }

    // Floats of the planes Im2ColPackedShifted and Im2ColPackedRows keep on the stack (16 KB).
    private const int MaxPaddedPlaneFloats = 4096;

    /// <summary>
    /// <see cref="Im2ColPacked"/> for unit horizontal stride and dilation: each channel is copied
    /// once into a plane padded left and right with zeros (plus one zero row for the rows above or
    /// below the input), so every (row, output line) of the im2col matrix is one contiguous,
    /// branch-free vector copy of <c>OW</c> floats.
    /// </summary>
    private static unsafe void Im2ColPackedRows(in ConvShape s, float* x, float* packed, int rowWidth)
    {
        int h = s.H, w = s.W, ow = s.OW, oh = s.OH, p = s.P;
        var plane = stackalloc float[(h + 1) * rowWidth];
        new Span<float>(plane, (h + 1) * rowWidth).Clear();
        var zeroRow = plane + (long)h * rowWidth;
        // Input columns [first, first + count) land at padded columns [first + padLeft, ...).
        var first = Math.Max(0, -s.PadLeft);
        var count = Math.Min(w, rowWidth - s.PadLeft) - first;
        var panelStride = (long)s.K * PanelWidth;
        var panels = (p + PanelWidth - 1) / PanelWidth;
        var row = 0;
        for (var ci = 0; ci < s.CPerGroup; ci++)
        {
            var src = x + (long)ci * h * w;
            if (count > 0)
            {
                for (var iy = 0; iy < h; iy++)
                {
                    CopyFloats(src + (long)iy * w + first, plane + (long)iy * rowWidth + first + s.PadLeft, count);
                }
            }

            for (var ky = 0; ky < s.KH; ky++, row += s.KW)
            {
                var rowBase = packed + (long)row * PanelWidth;
                for (var oy = 0; oy < oh; oy++)
                {
                    var iy = oy * s.StrideH - s.PadTop + ky * s.DilH;
                    var line = (uint)iy < (uint)h ? plane + (long)iy * rowWidth : zeroRow;
                    var pixel = oy * ow;
                    if (PanelWidth % ow == 0)
                    {
                        // The line's pixels lie in one panel: one vector copy per kernel column.
                        var dst = rowBase + pixel / PanelWidth * panelStride + pixel % PanelWidth;
                        if (ow == 4)
                        {
                            for (var kx = 0; kx < s.KW; kx++)
                            {
                                Vector128.Store(Vector128.Load(line + kx), dst + kx * PanelWidth);
                            }
                        }
                        else if (ow == 8)
                        {
                            for (var kx = 0; kx < s.KW; kx++)
                            {
                                Vector256.Store(Vector256.Load(line + kx), dst + kx * PanelWidth);
                            }
                        }
                        else
                        {
                            for (var kx = 0; kx < s.KW; kx++)
                            {
                                CopyFloats(line + kx, dst + kx * PanelWidth, ow);
                            }
                        }

                        continue;
                    }

                    for (var kx = 0; kx < s.KW; kx++)
                    {
                        // Split where the line crosses a panel boundary.
                        var done = 0;
                        while (done < ow)
                        {
                            var slot = (pixel + done) % PanelWidth;
                            var run = Math.Min(ow - done, PanelWidth - slot);
                            CopyFloats(line + kx + done, rowBase + kx * PanelWidth + (pixel + done) / PanelWidth * panelStride + slot, run);
                            done += run;
                        }
                    }
                }

                if (p % PanelWidth != 0)
                {
                    // Zero the padding columns of the last panel.
                    for (var kx = 0; kx < s.KW; kx++)
                    {
                        var tail = rowBase + kx * PanelWidth + (panels - 1) * panelStride;
                        new Span<float>(tail + p % PanelWidth, PanelWidth - p % PanelWidth).Clear();
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Im2ColPacked"/> for unit strides: per channel, one plane per kernel column
    /// holding the input shifted by that column and cut to the output width (zero where it falls
    /// outside, rows above and below included). With unit strides the im2col row of kernel tap
    /// (ky, kx) is then one contiguous run of that plane, copied a panel (16 floats) at a time.
    /// </summary>
    private static unsafe void Im2ColPackedShifted(in ConvShape s, float* x, float* packed, int planeRows)
    {
        int h = s.H, w = s.W, ow = s.OW, p = s.P, kw = s.KW;
        var planeLength = planeRows * ow;
        var planes = stackalloc float[kw * planeLength];
        // The zeros sit at the same places for every channel: cleared once, never overwritten.
        new Span<float>(planes, kw * planeLength).Clear();
        var firstRow = Math.Max(0, s.PadTop);
        var endRow = Math.Min(planeRows, h + s.PadTop);
        var panelStride = (long)s.K * PanelWidth;
        var panels = (p + PanelWidth - 1) / PanelWidth;
        var row = 0;
        for (var ci = 0; ci < s.CPerGroup; ci++)
        {
            var src = x + (long)ci * h * w;
            for (var kx = 0; kx < kw; kx++)
            {
                // Plane column ox holds input column ox + ix0.
                var ix0 = kx * s.DilW - s.PadLeft;
                var first = Math.Max(0, -ix0);
                var count = Math.Min(ow, w - ix0) - first;
                if (count <= 0)
                {
                    continue;
                }

                var plane = planes + (long)kx * planeLength;
                for (var r = firstRow; r < endRow; r++)
                {
                    CopyFloats(src + (long)(r - s.PadTop) * w + ix0 + first, plane + (long)r * ow + first, count);
                }
            }

            for (var ky = 0; ky < s.KH; ky++)
            {
                for (var kx = 0; kx < kw; kx++, row++)
                {
                    var run = planes + (long)kx * planeLength + (long)ky * s.DilH * ow;
                    var dst = packed + (long)row * PanelWidth;
                    var pixel = 0;
                    for (; pixel + PanelWidth <= p; pixel += PanelWidth, dst += panelStride)
                    {
                        Vector256.Store(Vector256.Load(run + pixel), dst);
                        Vector256.Store(Vector256.Load(run + pixel + 8), dst + 8);
                    }

                    if (pixel < p)
                    {
                        // The last, partial panel: its padding columns are zero.
                        CopyFloats(run + pixel, dst, p - pixel);
                        new Span<float>(dst + (p - pixel), PanelWidth - (p - pixel)).Clear();
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyFloats(float* src, float* dst, int count)
    {
        var i = 0;
        for (; i + 8 <= count; i += 8)
        {
            Vector256.Store(Vector256.Load(src + i), dst + i);
        }

        if (i + 4 <= count)
        {
            Vector128.Store(Vector128.Load(src + i), dst + i);
            i += 4;
        }

        for (; i < count; i++)
        {
            dst[i] = src[i];
        }
    }
}
