using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Largest k the pooled-window path takes: a CNN's first convolutions (the digits CNN's 1 × 3 × 3), whose epilogue outweighs its products.
    private const int PooledWindowsMaxK = 36;

    // Per thread: one image's im2col rows (where no faster gather fits), and its pooled bytes channel-last before they go NCHW.
    [ThreadStatic]
    private static byte[]? _windowRows, _windowStaging;

    /// <summary>
    /// Whether <see cref="QConv"/> runs a 2 × 2-pooled uint8 convolution by pooling windows
    /// (<see cref="QConvPooledWindows"/>): an x86 int8 path (<see cref="RunsSmallPlaneTiles"/>) and a small k.
    /// </summary>
    internal static bool QConvRunsPooledWindows(int c, int kh, int kw, int oh, int ow, int outputKind, int poolRows) =>
        RunsSmallPlaneTiles(KernelDispatch.Current.Int8Gemm)
        && poolRows == 2 && outputKind == 0 && c * kh * kw <= PooledWindowsMaxK && oh >= 2 && ow >= 2;

    /// <summary>
    /// A 2 × 2/2-pooled uint8 convolution whose tiles are one pooling window's 4 pixels × 16 output
    /// channels (the GEMM tile, its rows read from the pixel-lane kernels' pixel blocks): the window's maximum is taken on
    /// the int32 sums, across the 4 rows, before any requantization, so a quarter of the sums are
    /// requantized. The requantization <c>clamp(round((acc + bias) · scale) + zero)</c> never
    /// decreases in acc where the scale is ≥ 0 and never increases where it is &lt; 0, so the
    /// pooled byte is that of the window's largest sum, or of its smallest (each channel picks by its
    /// scale's sign): the same bytes as pooling the requantized pixels. Where k is small (the first
    /// convolution of a CNN) the per-pixel requantization and pooling cost more than the products.
    /// </summary>
    private static unsafe void QConvPooledWindows(in ConvShape s, byte* x, byte* packedW, int* bias, float* scale, byte* y, int n,
        int xZero, int yZero, int act, QuadGatherTable? gather, byte[]? shuffles)
    {
        var kp = (s.K + 3) / 4 * 4;
        var panels = (s.M + PanelWidth - 1) / PanelWidth;
        var mp = panels * PanelWidth;
        var (ph, pw) = (s.OH / 2, s.OW / 2);
        var windows = ph * pw;
        var rows = ThreadBuffer(ref _windowRows, (long)s.P * kp);
        // Two spare windows: the pairs' last may be a repeat, stored past the end.
        var staging = ThreadBuffer(ref _windowStaging, (long)(windows + 1) * mp);
        float lo = act == 1 ? Math.Max(0, yZero) : 0;
        var requantize = new RequantizeAvx2(lo, 255, yZero, signed: false);
        var acc = stackalloc int[2 * 4 * PanelWidth];
        var wholeK = stackalloc int[2] { 0, 0 };
        // Each window's top-left pixel, the last repeated to make whole pairs.
        var tops = stackalloc int[windows + 1];
        for (int qy = 0, q = 0; qy < ph; qy++)
        {
            for (var qx = 0; qx < pw; qx++)
            {
                tops[q++] = 2 * qy * s.OW + 2 * qx;
            }
        }

        tops[windows] = tops[windows - 1];

        for (var image = 0; image < n; image++)
        {
            var blocks = BuildPixelQuads(s, x + (long)image * s.C * s.H * s.W, rows, (byte)xZero, gather, shuffles);
            for (var panel = 0; panel < panels; panel++)
            {
                var w = packedW + (long)panel * (kp / 4) * 64;
                var col0 = panel * PanelWidth;
                var cols = Math.Min(PanelWidth, s.M - col0);
                // Per channel: bias, scale, and an all-ones mask where the scale is negative (the window's smallest sum then gives its largest byte).
                var (b0, b1) = (LoadPartial(bias + col0, cols, 0), LoadPartial(bias + col0 + 8, cols - 8, 0));
                var (s0, s1) = (LoadPartial((int*)scale + col0, cols, 0).AsSingle(), LoadPartial((int*)scale + col0 + 8, cols - 8, 0).AsSingle());
                var (n0, n1) = (Avx.CompareLessThan(s0, Vector256<float>.Zero).AsInt32(), Avx.CompareLessThan(s1, Vector256<float>.Zero).AsInt32());
                for (var q = 0; q < windows; q += 2)
                {
                    WindowTile(blocks, tops[q], s.OW, kp, w, wholeK, acc);
                    WindowTile(blocks, tops[q + 1], s.OW, kp, w, wholeK, acc + 4 * PanelWidth);
                    var bytes = requantize.Pack(PooledScaled(acc, 0, b0, s0, n0), PooledScaled(acc, 8, b1, s1, n1),
                        PooledScaled(acc + 4 * PanelWidth, 0, b0, s0, n0), PooledScaled(acc + 4 * PanelWidth, 8, b1, s1, n1));
                    bytes.GetLower().Store(staging + (long)q * mp + col0);
                    bytes.GetUpper().Store(staging + (long)(q + 1) * mp + col0);
                }
            }

            ChannelsLastToPlanes(staging, windows, s.M, mp, y + (long)image * s.M * windows);
        }
    }

    /// <summary>
    /// The tile of the window whose top-left pixel is <paramref name="top"/> (rows <paramref name="width"/> pixels wide): one run of
    /// every quad (<paramref name="wholeK"/>: offsets 0, 0), a pixel's quads 64 bytes apart in the pixel blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WindowTile(byte* blocks, int top, int width, int kp, byte* w, int* wholeK, int* tile) =>
        Tile4x16Avx2(PixelQuad(blocks, top, kp), PixelQuad(blocks, top + 1, kp), PixelQuad(blocks, top + width, kp), PixelQuad(blocks, top + width + 1, kp),
            w, wholeK, 1, kp / 4, 64, tile);

    /// <summary>Pixel <paramref name="pixel"/>'s first quad in the pixel blocks; its next quads follow 64 bytes apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe byte* PixelQuad(byte* blocks, int pixel, int kp) => blocks + (long)((uint)pixel / PixelBlock * (uint)kp * PixelBlock + (uint)pixel % PixelBlock * 4);

    /// <summary>One half (8 channels at <paramref name="half"/>) of a window tile: its 4 rows' sums pooled (max, or min where <paramref name="negative"/>), biased and scaled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> PooledScaled(int* tile, int half, Vector256<int> bias, Vector256<float> scale, Vector256<int> negative)
    {
        var (r0, r1) = (Avx.LoadVector256(tile + half), Avx.LoadVector256(tile + PanelWidth + half));
        var (r2, r3) = (Avx.LoadVector256(tile + 2 * PanelWidth + half), Avx.LoadVector256(tile + 3 * PanelWidth + half));
        var pooled = Avx2.Max(Avx2.Max(r0, r1), Avx2.Max(r2, r3));
        if (!Avx.TestZ(negative, negative))
        {
            var min = Avx2.Min(Avx2.Min(r0, r1), Avx2.Min(r2, r3));
            pooled = Avx2.BlendVariable(pooled.AsByte(), min.AsByte(), negative.AsByte()).AsInt32();
        }

        return Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(pooled, bias)), scale);
    }

    /// <summary>Up to 8 ints from <paramref name="p"/> (<paramref name="count"/> of them; none where ≤ 0), the rest <paramref name="fill"/>.</summary>
    private static unsafe Vector256<int> LoadPartial(int* p, int count, int fill)
    {
        if (count >= 8)
        {
            return Avx.LoadVector256(p);
        }

        var lanes = stackalloc int[8];
        for (var i = 0; i < 8; i++)
        {
            lanes[i] = i < count ? p[i] : fill;
        }

        return Avx.LoadVector256(lanes);
    }

    /// <summary>
    /// <c>[pixels, mp]</c> bytes (channel-last, channels padded to whole panels) → <c>[m, pixels]</c>:
    /// 16 channels of 4 pixels by one quad transpose, of 16 pixels by a 16 × 16 one, else byte by byte.
    /// </summary>
    private static unsafe void ChannelsLastToPlanes(byte* pixels, int plane, int m, int mp, byte* dst)
    {
        if (m % 16 == 0 && plane is 4 or 16 && Sse2.IsSupported)
        {
            for (var col = 0; col < m; col += 16)
            {
                if (plane == 4)
                {
                    StoreQuad(Vector128.Load(pixels + col), Vector128.Load(pixels + mp + col), Vector128.Load(pixels + 2 * mp + col),
                        Vector128.Load(pixels + 3 * mp + col), dst + col * 4);
                }
                else
                {
                    Transpose16x16(pixels + col, mp, dst + col * 16);
                }
            }

            return;
        }

        for (var c = 0; c < m; c++, dst += plane)
        {
            for (var q = 0; q < plane; q++)
            {
                dst[q] = pixels[(long)q * mp + c];
            }
        }
    }
}
