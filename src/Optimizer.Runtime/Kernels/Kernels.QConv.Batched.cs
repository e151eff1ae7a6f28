using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Fewest images the batched path takes: its tiles are 4 images at one output pixel, so fewer leave rows idle.
    private const int QConvBatchMinImages = 4;

    // Largest output plane (pixels) the batched path takes: the small planes of a CNN's later convolutions.
    private const int QConvBatchMaxPixels = 64;

    // Per thread, so a warm run allocates nothing: the batch's images channel-last, and their requantized pixels before they go NCHW.
    [ThreadStatic]
    private static byte[]? _batchChannelsLast, _batchStaging;

    /// <summary>
    /// Whether <see cref="QConv"/> runs <paramref name="n"/> images as one batch
    /// (<see cref="QConvBatched"/>, given the convolution's <see cref="PackInt8TapMajor"/> weights and <see cref="PackQConvPixelTables"/>): an x86 int8 path with
    /// <c>vpmaddubsw</c> (<see cref="RunsSmallPlaneTiles"/>), at least
    /// <see cref="QConvBatchMinImages"/> images and a shape the path takes (<see cref="QConvBatchable"/>).
    /// </summary>
    internal static bool QConvRunsBatched(int n, int c, int oh, int ow, int outputKind) =>
        RunsSmallPlaneTiles(KernelDispatch.Current.Int8Gemm)
        && n >= QConvBatchMinImages && QConvBatchable(c, oh, ow, outputKind);

    /// <summary>
    /// A quantized convolution over the whole batch, its tiles 4 images × 16 output channels at one
    /// output pixel: the images' pixels are the rows of one GEMM. Every row of a tile then has the
    /// same kernel taps inside the image, so the taps in the padding are skipped, their sums
    /// (zero point × weights) folded into that pixel's bias: on a 4 × 4 plane with padding 1
    /// that is 31% of the products. The quads run tap-major, 4 input channels each, read straight
    /// from a channel-last copy of the images (no im2col), the weights tap-major (<paramref name="tapMajor"/>:
    /// <see cref="PackInt8TapMajor"/>), each pixel's bias and taps in <paramref name="tables"/> (<see cref="PackQConvPixelTables"/>),
    /// both made by the compiler. The tile's requantized bytes are channel-last; each image is then pooled (within itself) and written NCHW.
    /// </summary>
    private static unsafe void QConvBatched(in ConvShape s, byte* x, byte* tapMajor, byte* tables, byte* y, int n, int outputKind, int yZero, int act, int poolRows)
    {
        var layout = new BatchedTablesLayout(s.C, s.M, s.KH * s.KW, s.P);
        var (cp, mp) = (layout.Cp, layout.Mp);
        var imageBytes = s.H * s.W * cp;
        var channelsLast = ThreadBuffer(ref _batchChannelsLast, (long)n * imageBytes);
        ChannelsLast(x, channelsLast, n, s.C, s.H * s.W, cp);
        var staging = ThreadBuffer(ref _batchStaging, (long)n * s.P * mp);
        float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
        if (act == 1)
        {
            lo = Math.Max(lo, yZero);
        }

        var job = new BatchedQConvJob(s, channelsLast, imageBytes, cp / 4, tapMajor, layout.Quads, layout.Panels, (int*)tables,
            (int*)(tables + layout.TapListOffset), layout.TapStride, (float*)(tables + layout.ScaleOffset),
            new RequantizeAvx2(lo, hi, yZero, signed: outputKind == 1), staging, mp, y, poolRows);
        var groups = (n + 3) / 4;
        if (KernelDispatch.MaxThreads > 1 && groups > 1)
        {
            RunGroupsInParallel(job, groups, n);
        }
        else
        {
            for (var g = 0; g < groups; g++)
            {
                job.RunGroup(g, n);
            }
        }
    }

    private static void RunGroupsInParallel(BatchedQConvJob job, int groups, int n) =>
        Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = KernelDispatch.MaxThreads }, g => job.RunGroup(g, n));

    /// <summary>NCHW images → <c>[n, h·w, cp]</c>: each pixel's channels contiguous, zero past <paramref name="c"/>.</summary>
    private static unsafe void ChannelsLast(byte* x, byte* dst, int n, int c, int plane, int cp)
    {
        if (c == cp && c == 16 && plane % 16 == 0 && Sse2.IsSupported)
        {
            for (var image = 0; image < n; image++)
            {
                for (var p0 = 0; p0 < plane; p0 += 16)
                {
                    Transpose16x16(x + (long)image * c * plane + p0, plane, dst + ((long)image * plane + p0) * cp);
                }
            }

            return;
        }

        for (var image = 0; image < n; image++)
        {
            var src = x + (long)image * c * plane;
            var to = dst + (long)image * plane * cp;
            for (var p = 0; p < plane; p++, to += cp)
            {
                for (var ci = 0; ci < c; ci++)
                {
                    to[ci] = src[(long)ci * plane + p];
                }

                for (var ci = c; ci < cp; ci++)
                {
                    to[ci] = 0;
                }
            }
        }
    }

    /// <summary>16 rows of 16 bytes (<paramref name="stride"/> apart) to 16 contiguous columns of 16, by byte, word, dword and qword unpacks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose16x16(byte* src, int stride, byte* dst)
    {
        var r = stackalloc Vector128<byte>[16];
        for (var i = 0; i < 16; i++)
        {
            r[i] = Vector128.Load(src + (long)i * stride);
        }

        var a = stackalloc Vector128<byte>[16];
        for (var i = 0; i < 8; i++)
        {
            a[2 * i] = Sse2.UnpackLow(r[2 * i], r[2 * i + 1]);
            a[2 * i + 1] = Sse2.UnpackHigh(r[2 * i], r[2 * i + 1]);
        }

        // a[2i] holds columns 0–7 of rows 2i, 2i+1 as byte pairs; a[2i+1] columns 8–15.
        var b = stackalloc Vector128<byte>[16];
        for (var i = 0; i < 4; i++)
        {
            for (var h = 0; h < 2; h++)
            {
                var (lo, hi) = (a[4 * i + h].AsUInt16(), a[4 * i + 2 + h].AsUInt16());
                b[4 * i + 2 * h] = Sse2.UnpackLow(lo, hi).AsByte();
                b[4 * i + 2 * h + 1] = Sse2.UnpackHigh(lo, hi).AsByte();
            }
        }

        // b[4i + j]: columns 4j..4j+3 of rows 4i..4i+3, a dword per column.
        var d = stackalloc Vector128<byte>[16];
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                var (lo, hi) = (b[8 * i + j].AsUInt32(), b[8 * i + 4 + j].AsUInt32());
                d[8 * i + 2 * j] = Sse2.UnpackLow(lo, hi).AsByte();
                d[8 * i + 2 * j + 1] = Sse2.UnpackHigh(lo, hi).AsByte();
            }
        }

        // d[8i + m]: columns 2m, 2m+1 of rows 8i..8i+7, a qword per column.
        for (var m = 0; m < 8; m++)
        {
            var (lo, hi) = (d[m].AsUInt64(), d[8 + m].AsUInt64());
            Sse2.UnpackLow(lo, hi).AsByte().Store(dst + 2 * m * 16);
            Sse2.UnpackHigh(lo, hi).AsByte().Store(dst + (2 * m + 1) * 16);
        }
    }
}
