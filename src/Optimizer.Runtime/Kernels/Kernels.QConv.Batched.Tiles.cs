using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The tiles of <see cref="QConvBatched"/> for one group of 4 images (the last may hold fewer),
    /// then those images' outputs: <paramref name="staging"/> holds each image's requantized pixels
    /// channel-last (<c>[P, mp]</c>), pooled there (within the image) and written NCHW to <paramref name="y"/>.
    /// </summary>
    private readonly unsafe struct BatchedQConvJob(ConvShape s, byte* channelsLast, int imageBytes, int quadsPerTap, byte* weights, int quads, int panels,
        int* pixelBias, int* tapList, int tapStride, float* scales, RequantizeAvx2 requantize, byte* staging, int mp, byte* y, int poolRows)
    {
        [SkipLocalsInit] // the tile writes every accumulator before the epilogue reads it
        public void RunGroup(int group, int n)
        {
            var i0 = 4 * group;
            var rows = Math.Min(4, n - i0);
            var a0 = channelsLast + (long)i0 * imageBytes;
            // Missing rows repeat the first image: computed, never stored.
            var a1 = a0 + (rows > 1 ? imageBytes : 0);
            var a2 = a0 + (rows > 2 ? 2 * imageBytes : 0);
            var a3 = a0 + (rows > 3 ? 3 * imageBytes : 0);
            var acc = stackalloc int[4 * PanelWidth];
            var imageStaging = (long)s.P * mp;
            for (var panel = 0; panel < panels; panel++)
            {
                var w = weights + (long)panel * quads * 64;
                var col0 = panel * PanelWidth;
                for (var p = 0; p < s.P; p++)
                {
                    var list = tapList + (long)p * tapStride;
                    Tile4x16Avx2(a0, a1, a2, a3, w, list + 1, list[0], quadsPerTap, 4, acc);
                    var bias = pixelBias + (long)p * mp + col0;
                    var (b0, b1) = (Avx.LoadVector256(bias), Avx.LoadVector256(bias + 8));
                    var (s0, s1) = (Avx.LoadVector256(scales + col0), Avx.LoadVector256(scales + col0 + 8));
                    var out0 = staging + i0 * imageStaging + (long)p * mp + col0;
                    for (var r = 0; r < rows; r += 2)
                    {
                        var ra = acc + r * PanelWidth;
                        var rb = acc + Math.Min(r + 1, rows - 1) * PanelWidth;
                        var bytes = requantize.Pack(
                            Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(ra), b0)), s0),
                            Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(ra + 8), b1)), s1),
                            Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(rb), b0)), s0),
                            Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(rb + 8), b1)), s1));
                        bytes.GetLower().Store(out0 + r * imageStaging);
                        if (r + 1 < rows)
                        {
                            bytes.GetUpper().Store(out0 + (r + 1) * imageStaging);
                        }
                    }
                }
            }

            for (var r = 0; r < rows; r++)
            {
                WriteImage(staging + (i0 + r) * imageStaging, y, i0 + r);
            }
        }

        /// <summary>One image's channel-last bytes, pooled in place (each pooled pixel's corners lie at or after it), to NCHW.</summary>
        private void WriteImage(byte* pixels, byte* y, int image)
        {
            var (outH, outW) = poolRows == 0 ? (s.OH, s.OW) : (s.OH / poolRows, s.OW / 2);
            var plane = outH * outW;
            if (poolRows != 0)
            {
                for (var q = 0; q < plane; q++)
                {
                    var top = pixels + ((long)q / outW * poolRows * s.OW + q % outW * 2) * mp;
                    var bottom = top + (poolRows - 1) * s.OW * mp;
                    for (var col = 0; col < mp; col += 16)
                    {
                        var max = Vector128.Max(Vector128.Max(Vector128.Load(top + col), Vector128.Load(top + mp + col)),
                            Vector128.Max(Vector128.Load(bottom + col), Vector128.Load(bottom + mp + col)));
                        max.Store(pixels + (long)q * mp + col);
                    }
                }
            }

            ChannelsLastToPlanes(pixels, plane, s.M, mp, y + (long)image * s.M * plane);
        }
    }

    /// <summary>
    /// Whether the small-plane paths (<see cref="QConvBatched"/>, <see cref="QConvPooledWindows"/>) run on an int8 path: their
    /// tile is <see cref="Tile4x16Avx2"/>, and every x86 int8 path's CPU has AVX2. AVX-VNNI CPUs take it too: their own
    /// per-image tiles (<c>vpdpbusd</c>) redo the products these paths skip or pool away (Zen 5, digits_cnn int8 at batch 64:
    /// 0.97× fp32 without them). The compiler emits quantized convolutions only with weights whose pairs fit <c>vpmaddubsw</c>.
    /// </summary>
    private static bool RunsSmallPlaneTiles(KernelPath path) => path is KernelPath.Avx2 or KernelPath.AvxVnni or KernelPath.Avx512BW;

    /// <summary>
    /// The int8 4 × 16 tile both small-plane paths run: 4 rows (<c>a0</c>–<c>a3</c>) × 16 output channels, summed over
    /// <paramref name="count"/> runs of <paramref name="quadsPerRun"/> quads (<paramref name="runs"/>: pairs of the rows' offset and the
    /// weights' offset), a row's next quad <paramref name="quadStride"/> bytes on. <see cref="QConvBatched"/>'s runs are the taps inside
    /// the image (4 channels a quad, channel-last: stride 4); <see cref="QConvPooledWindows"/>' one run is the whole k (pixel blocks: stride 64).
    /// Same sums as <see cref="QGemmJob"/>'s loops (<see cref="AddQuadProducts"/>); acc[r · 16 + c].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // each caller's stride and run count fold into its copy
    private static unsafe void Tile4x16Avx2(byte* a0, byte* a1, byte* a2, byte* a3, byte* w, int* runs, int count, int quadsPerRun, int quadStride, int* acc)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        var ones = Vector256.Create((short)1);
        for (var t = 0; t < count; t++)
        {
            var at = runs[2 * t];
            var p = w + runs[2 * t + 1];
            for (var q = 0; q < quadsPerRun; q++, p += 64, at += quadStride)
            {
                var b0 = Avx.LoadVector256(p).AsSByte();
                var b1 = Avx.LoadVector256(p + 32).AsSByte();
                var v = Vector256.Create(*(int*)(a0 + at)).AsByte();
                c00 = AddQuadProducts(c00, v, b0, ones); c01 = AddQuadProducts(c01, v, b1, ones);
                v = Vector256.Create(*(int*)(a1 + at)).AsByte();
                c10 = AddQuadProducts(c10, v, b0, ones); c11 = AddQuadProducts(c11, v, b1, ones);
                v = Vector256.Create(*(int*)(a2 + at)).AsByte();
                c20 = AddQuadProducts(c20, v, b0, ones); c21 = AddQuadProducts(c21, v, b1, ones);
                v = Vector256.Create(*(int*)(a3 + at)).AsByte();
                c30 = AddQuadProducts(c30, v, b0, ones); c31 = AddQuadProducts(c31, v, b1, ones);
            }
        }

        c00.Store(acc); c01.Store(acc + 8); c10.Store(acc + 16); c11.Store(acc + 24);
        c20.Store(acc + 32); c21.Store(acc + 40); c30.Store(acc + 48); c31.Store(acc + 56);
    }

    /// <summary>
    /// <paramref name="acc"/> plus each dword's four u8 × s8 products: one <c>vpdpbusd</c> where the CPU has AVX-VNNI, else
    /// <c>vpmaddubsw</c> then <c>vpmaddwd</c> by ones. The same sums, as the weights' pairs fit int16 (the compiler's check).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> AddQuadProducts(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s, Vector256<short> ones) =>
        AvxVnni.IsSupported ? AvxVnni.MultiplyWideningAndAdd(acc, u, s) : acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), ones);
}
