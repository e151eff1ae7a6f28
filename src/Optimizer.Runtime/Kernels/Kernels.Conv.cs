namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Floats of scratch one image of a <see cref="Conv"/> needs (its packed im2col matrix).</summary>
    public static int ConvScratchLength(int c, int kh, int kw, int oh, int ow, int group) =>
        PackedBLength(c / group * kh * kw, oh * ow);

    /// <summary>
    /// 2-D convolution, NCHW: x <c>[n, c, h, w]</c>, weights <c>[m, c/group, kh, kw]</c> as
    /// stored by ONNX, bias <c>[m]</c> or empty, y <c>[n, m, oh, ow]</c>. Each image and group
    /// is an im2col packed straight into GEMM panels (scratch: <c>n · ConvScratchLength</c>
    /// floats), then one GEMM with the weights as the A operand. Images run in parallel.
    /// </summary>
    public static unsafe void Conv(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch,
        int n, int c, int h, int w, int m, int kh, int kw, int oh, int ow, int padTop, int padLeft,
        int strideH, int strideW, int dilH, int dilW, int group, int act, float actMin, float actMax)
    {
        var shape = new ConvShape(c, h, w, m, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, group);
        var scratchPerImage = ConvScratchLength(c, kh, kw, oh, ow, group);
        fixed (float* px = x, pw = weights, pb = bias, py = y, ps = scratch)
        {
            var job = new ConvJob(shape, px, pw, bias.IsEmpty ? null : pb, py, ps, scratchPerImage, act, actMin, actMax, n == 1);
            if (n > 1 && KernelDispatch.MaxThreads > 1)
            {
                RunImagesInParallel(job, n);
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    job.RunImage(i);
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
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = KernelDispatch.MaxThreads }, job.RunImage);

    private readonly unsafe struct ConvJob(ConvShape s, float* x, float* weights, float* bias, float* y, float* scratch, int scratchPerImage,
        int act, float actMin, float actMax, bool parallelGemm)
    {
        public void RunImage(int image)
        {
            var packed = scratch + (long)image * scratchPerImage;
            for (var g = 0; g < s.Group; g++)
            {
                var xg = x + ((long)image * s.C + g * s.CPerGroup) * s.H * s.W;
                Im2ColPacked(s, xg, packed);
                var yg = y + ((long)image * s.M + g * s.MPerGroup) * s.P;
                var wg = weights + (long)g * s.MPerGroup * s.K;
                var job = new GemmJob(wg, s.K, packed, s.K, yg, s.P, s.MPerGroup, s.P,
                    bias == null ? null : bias + g * s.MPerGroup, true, 1f, act, actMin, actMax);
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
    internal static unsafe void Im2ColPacked(in ConvShape s, float* x, float* packed)
    {
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
}
