using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Whether the pixel-lane epilogue can 2×2/2 max-pool a convolution's output itself: each block
    /// of 16 output pixels is then whole row pairs (width 2, 4 or 8, planes of whole blocks) and pools to 4 contiguous bytes.
    /// </summary>
    private static bool PoolsInEpilogue(in ConvShape s) =>
        Ssse3.IsSupported && s.OW is 2 or 4 or 8 && s.OH % 2 == 0 && s.P % PixelBlock == 0;

    // PoolWindows of each width PoolsInEpilogue takes, built once.
    private static readonly Dictionary<int, (Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>)> PoolWindowsByWidth =
        new[] { 2, 4, 8 }.ToDictionary(width => width, PoolWindows);

    /// <summary>
    /// The 2×2 windows of a 16-pixel block of rows <paramref name="width"/> wide: four byte shuffles whose
    /// lanes 0–3 pick each window's top-left, top-right, bottom-left and bottom-right pixel.
    /// </summary>
    private static (Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>) PoolWindows(int width)
    {
        Span<byte> corners = stackalloc byte[4 * 16];
        corners.Clear();
        for (var pooled = 0; pooled < 4; pooled++)
        {
            var top = pooled / (width / 2) * 2 * width + pooled % (width / 2) * 2;
            corners[pooled] = (byte)top;
            corners[16 + pooled] = (byte)(top + 1);
            corners[32 + pooled] = (byte)(top + width);
            corners[48 + pooled] = (byte)(top + width + 1);
        }

        return (Vector128.Create(corners[..16]), Vector128.Create(corners[16..32]), Vector128.Create(corners[32..48]), Vector128.Create(corners[48..]));
    }

    /// <summary>The 4 pooled bytes of a requantized 16-pixel block (see <see cref="PoolWindows"/>).</summary>
    private static uint Pool2x2(Vector128<byte> pixels, in (Vector128<byte> A, Vector128<byte> B, Vector128<byte> C, Vector128<byte> D) windows) =>
        Vector128.Max(Vector128.Max(Ssse3.Shuffle(pixels, windows.A), Ssse3.Shuffle(pixels, windows.B)),
            Vector128.Max(Ssse3.Shuffle(pixels, windows.C), Ssse3.Shuffle(pixels, windows.D))).AsUInt32().ToScalar();

    /// <summary>
    /// Max-pools uint8 planes <c>[planes, h, w]</c> over windows of <paramref name="rows"/> (1 or 2) rows × 2
    /// columns, stride = window, floor sizes: where the pooled planes cannot be stored from the epilogue.
    /// With every window inside one flat run (even widths; even heights for row pairs), the planes are one long run of row groups.
    /// </summary>
    private static unsafe void PoolPairsU8(byte* x, byte* y, int planes, int h, int w, int rows)
    {
        if (w % 2 == 0 && h % rows == 0)
        {
            (planes, h, w) = rows == 1 ? (1, 1, planes * h * w) : (1, planes * h, w);
        }

        int oh = h / rows, ow = w / 2;
        for (var plane = 0; plane < planes; plane++, x += h * w)
        {
            for (var oy = 0; oy < oh; oy++, y += ow)
            {
                var top = x + (long)oy * rows * w;
                var bottom = top + (rows - 1) * w;
                var ox = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    // A pair's two bytes are one ushort's low and high byte: their maximum fits the low byte, narrowed exactly.
                    for (; ox + 16 <= ow; ox += 16)
                    {
                        var pairs = Vector256.Max(Vector256.Load(top + 2 * ox), Vector256.Load(bottom + 2 * ox)).AsUInt16();
                        var max = Vector256.Max(pairs & Vector256.Create((ushort)0xFF), Vector256.ShiftRightLogical(pairs, 8));
                        Vector128.Narrow(max.GetLower(), max.GetUpper()).Store(y + ox);
                    }
                }

                for (; ox < ow; ox++)
                {
                    y[ox] = Math.Max(Math.Max(top[2 * ox], top[2 * ox + 1]), Math.Max(bottom[2 * ox], bottom[2 * ox + 1]));
                }
            }
        }
    }
}
