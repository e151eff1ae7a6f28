using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Nearest-neighbour upsampling by whole factors (an FPN's Resize ×2/×4/×8): x is
    /// <paramref name="rows"/> rows of <paramref name="w"/> floats; each row becomes
    /// <paramref name="repeatH"/> rows of its elements each repeated <paramref name="repeatW"/> times.
    /// The first output row of a group is widened with vector permutes, the others are copies of it.
    /// </summary>
    public static void Upsample(ReadOnlySpan<float> x, Span<float> y, int rows, int w, int repeatH, int repeatW)
    {
        var outW = w * repeatW;
        var block = outW * repeatH;
        if ((long)rows * w > x.Length || (long)rows * block > y.Length)
        {
            throw new ArgumentException("The upsample's operands are smaller than its dimensions.");
        }

        for (var r = 0; r < rows; r++)
        {
            var first = y.Slice(r * block, outW);
            // The source runs on to the end of x: the vector loads may read into the next row (never past x).
            RepeatEach(x.Slice(r * w), first, w, repeatW);
            for (var k = 1; k < repeatH; k++)
            {
                first.CopyTo(y.Slice(r * block + k * outW, outW));
            }
        }
    }

    /// <summary>dst[i·r + k] = src[i] for i &lt; n, k &lt; r; src may be longer than n (loads may read past n, not past src).</summary>
    private static unsafe void RepeatEach(ReadOnlySpan<float> src, Span<float> dst, int n, int r)
    {
        if (r == 1)
        {
            src.Slice(0, n).CopyTo(dst);
            return;
        }

        var i = 0;
        fixed (float* ps = src, pd = dst)
        {
            if (KernelDispatch.Current.Fp32Gemm == KernelPath.Avx512F && r <= 16 && BitOperations.IsPow2(r))
            {
                i = RepeatEachAvx512(ps, pd, n, src.Length, r);
            }
            else if (Avx2.IsSupported && r <= 8 && BitOperations.IsPow2(r))
            {
                i = RepeatEachAvx2(ps, pd, n, src.Length, r);
            }
            else if (Vector128.IsHardwareAccelerated && r % 4 == 0)
            {
                // Whole quads per element: one broadcast, r / 4 stores.
                for (; i < n; i++)
                {
                    var v = Vector128.Create(ps[i]);
                    for (var k = 0; k < r; k += 4)
                    {
                        v.Store(pd + (long)i * r + k);
                    }
                }
            }
            else if (Vector128.IsHardwareAccelerated && r == 2)
            {
                for (; i + 4 <= n; i += 4)
                {
                    var v = Vector128.Load(ps + i);
                    Vector128.Shuffle(v, Vector128.Create(0, 0, 1, 1)).Store(pd + (long)i * 2);
                    Vector128.Shuffle(v, Vector128.Create(2, 2, 3, 3)).Store(pd + (long)i * 2 + 4);
                }
            }
        }

        for (; i < n; i++)
        {
            dst.Slice(i * r, r).Fill(src[i]);
        }
    }

    /// <summary>
    /// <see cref="RepeatEach"/> for r a power of two ≤ 16 on zmm: 16 inputs make r stores (permute
    /// control k picks inputs (16k + lane) / r); a short row's rest takes 16 / r inputs per store.
    /// Returns the inputs done.
    /// </summary>
    private static unsafe int RepeatEachAvx512(float* src, float* dst, int n, int available, int r)
    {
        var shift = BitOperations.Log2((uint)r);
        var i = 0;
        if (r == 16)
        {
            for (; i < n; i++)
            {
                Avx512Ops.Store(dst + (long)i * 16, Vector512.Create(src[i]));
            }

            return i;
        }

        var first = Vector512.ShiftRightLogical(Vector512<int>.Indices, shift);
        var step = Vector512.Create(16 >> shift);
        for (; i + 16 <= n && i + 16 <= available; i += 16)
        {
            var v = Avx512Ops.LoadVector512(src + i);
            var control = first;
            for (var k = 0; k < r; k++, control += step)
            {
                Avx512Ops.Store(dst + (long)i * r + k * 16, Avx512Ops.PermuteVar16x32(v, control));
            }
        }

        var per = 16 >> shift;
        for (; i + per <= n && i + 8 <= available; i += per)
        {
            Avx512Ops.Store(dst + (long)i * r, Avx512Ops.PermuteVar16x32(Avx.LoadVector256(src + i).ToVector512Unsafe(), first));
        }

        return i;
    }

    /// <summary><see cref="RepeatEachAvx512"/> on ymm: r a power of two ≤ 8, 8 inputs make r stores, a short row's rest 8 / r per store.</summary>
    private static unsafe int RepeatEachAvx2(float* src, float* dst, int n, int available, int r)
    {
        var shift = BitOperations.Log2((uint)r);
        var i = 0;
        if (r == 8)
        {
            for (; i < n; i++)
            {
                Avx.Store(dst + (long)i * 8, Vector256.Create(src[i]));
            }

            return i;
        }

        var first = Vector256.ShiftRightLogical(Vector256<int>.Indices, shift);
        var step = Vector256.Create(8 >> shift);
        for (; i + 8 <= n && i + 8 <= available; i += 8)
        {
            var v = Avx.LoadVector256(src + i);
            var control = first;
            for (var k = 0; k < r; k++, control += step)
            {
                Avx.Store(dst + (long)i * r + k * 8, Avx2.PermuteVar8x32(v, control));
            }
        }

        var per = 8 >> shift;
        for (; i + per <= n && i + 4 <= available; i += per)
        {
            Avx.Store(dst + (long)i * r, Avx2.PermuteVar8x32(Sse.LoadVector128(src + i).ToVector256Unsafe(), first));
        }

        return i;
    }
}
