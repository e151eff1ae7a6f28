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
}
