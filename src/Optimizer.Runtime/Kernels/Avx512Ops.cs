using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// The AVX-512 and AVX-VNNI instructions the kernels use, each run in software, to the bit, where
/// the CPU lacks it: so the 512-bit and VNNI paths run on any x64 machine when a test forces
/// <see cref="KernelDispatch"/>'s table (<see cref="KernelDispatch.ForTests"/>). <c>IsSupported</c>
/// is a JIT-time constant, so on a CPU with the instruction each method inlines to it alone; the
/// software versions sit in separate methods and never reach that code (NativeAOT's ilc for
/// x86-64-v4 compiles GemmJob.Accumulate8x32 to vmovups, vbroadcastss and vfmadd231ps on zmm only).
/// </summary>
internal static unsafe class Avx512Ops
{
    /// <summary><c>vmovups</c> zmm load (<see cref="Vector512.Load{T}"/> is the instruction on AVX-512, two halves elsewhere).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadVector512<T>(T* source) where T : unmanaged => Vector512.Load(source);

    /// <summary><c>vmovups</c> zmm store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(T* destination, Vector512<T> value) where T : unmanaged => value.Store(destination);

    /// <summary><c>vfmadd</c>: <c>a × b + c</c> rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.FusedMultiplyAdd(a, b, c);
        }

        return Vector512.Create(
            Vector256.FusedMultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()),
            Vector256.FusedMultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));
    }

    /// <summary><c>vmaxps</c>: <c>left &gt; right ? left : right</c> per lane (so NaN or equal lanes give <paramref name="right"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) =>
        Avx512F.IsSupported ? Avx512F.Max(left, right) : Vector512.ConditionalSelect(Vector512.GreaterThan(left, right), left, right);

    /// <summary><c>vminps</c>: <c>left &lt; right ? left : right</c> per lane (so NaN or equal lanes give <paramref name="right"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> left, Vector512<float> right) =>
        Avx512F.IsSupported ? Avx512F.Min(left, right) : Vector512.ConditionalSelect(Vector512.LessThan(left, right), left, right);

    /// <summary><c>vpermps</c>: lane i is <c>value[control[i] &amp; 15]</c> (the higher index bits are ignored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PermuteVar16x32(Vector512<float> value, Vector512<int> control) =>
        Avx512F.IsSupported ? Avx512F.PermuteVar16x32(value, control) : Vector512.Shuffle(value, control & Vector512.Create(15));

    /// <summary><c>vpermt2ps</c>: lane i is <c>(control[i] &amp; 16 ? upper : lower)[control[i] &amp; 15]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PermuteVar16x32x2(Vector512<float> lower, Vector512<int> control, Vector512<float> upper)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.PermuteVar16x32x2(lower, control, upper);
        }

        var index = control & Vector512.Create(15);
        var fromUpper = Vector512.Equals(control & Vector512.Create(16), Vector512.Create(16)).AsSingle();
        return Vector512.ConditionalSelect(fromUpper, Vector512.Shuffle(upper, index), Vector512.Shuffle(lower, index));
    }

    /// <summary><c>vpermt2b</c> (AVX-512 VBMI): byte i is <c>(control[i] &amp; 64 ? upper : lower)[control[i] &amp; 63]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> PermuteVar64x8x2(Vector512<byte> lower, Vector512<byte> control, Vector512<byte> upper)
    {
        if (Avx512Vbmi.IsSupported)
        {
            return Avx512Vbmi.PermuteVar64x8x2(lower, control, upper);
        }

        var index = control & Vector512.Create((byte)63);
        var fromUpper = Vector512.Equals(control & Vector512.Create((byte)64), Vector512.Create((byte)64));
        return Vector512.ConditionalSelect(fromUpper, Vector512.Shuffle(upper, index), Vector512.Shuffle(lower, index));
    }

    /// <summary><c>vpmovdb</c>: each int's low byte (truncation, not the saturating <c>vpmovusdb</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> ConvertToVector128Byte(Vector512<int> value) =>
        Avx512F.IsSupported ? Avx512F.ConvertToVector128Byte(value) : LowBytes(value);

    /// <summary><c>vpmaddubsw</c>: each int16 is <c>unsigned[2i]·signed[2i] + unsigned[2i+1]·signed[2i+1]</c>, saturated to int16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<short> MultiplyAddAdjacent(Vector512<byte> unsigned, Vector512<sbyte> signed) =>
        Avx512BW.IsSupported ? Avx512BW.MultiplyAddAdjacent(unsigned, signed) : BytePairProducts(unsigned, signed);

    /// <summary><c>vpmaddwd</c>: each int32 is <c>left[2i]·right[2i] + left[2i+1]·right[2i+1]</c>, wrapping (only −32768² · 2 does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAddAdjacent(Vector512<short> left, Vector512<short> right) =>
        Avx512BW.IsSupported ? Avx512BW.MultiplyAddAdjacent(left, right) : ShortPairProducts(left, right);

    /// <summary><c>vpdpbusd</c> (AVX-VNNI, ymm): each int32 of <paramref name="addend"/> plus its four u8 × s8 products, wrapping, never saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyWideningAndAdd(Vector256<int> addend, Vector256<byte> unsigned, Vector256<sbyte> signed) =>
        AvxVnni.IsSupported ? AvxVnni.MultiplyWideningAndAdd(addend, unsigned, signed) : QuadProductsAdded(addend, unsigned, signed);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<byte> LowBytes(Vector512<int> value)
    {
        Unsafe.SkipInit(out Vector128<byte> result);
        ref var lanes = ref Unsafe.As<Vector128<byte>, byte>(ref result);
        for (var i = 0; i < 16; i++)
        {
            Unsafe.Add(ref lanes, i) = unchecked((byte)value.GetElement(i));
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<short> BytePairProducts(Vector512<byte> unsigned, Vector512<sbyte> signed)
    {
        Unsafe.SkipInit(out Vector512<short> result);
        ref var lanes = ref Unsafe.As<Vector512<short>, short>(ref result);
        for (var i = 0; i < 32; i++)
        {
            var sum = unsigned.GetElement(2 * i) * signed.GetElement(2 * i) + unsigned.GetElement(2 * i + 1) * signed.GetElement(2 * i + 1);
            Unsafe.Add(ref lanes, i) = (short)Math.Clamp(sum, short.MinValue, short.MaxValue);
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<int> ShortPairProducts(Vector512<short> left, Vector512<short> right)
    {
        Unsafe.SkipInit(out Vector512<int> result);
        ref var lanes = ref Unsafe.As<Vector512<int>, int>(ref result);
        for (var i = 0; i < 16; i++)
        {
            Unsafe.Add(ref lanes, i) = unchecked(left.GetElement(2 * i) * right.GetElement(2 * i) + left.GetElement(2 * i + 1) * right.GetElement(2 * i + 1));
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<int> QuadProductsAdded(Vector256<int> addend, Vector256<byte> unsigned, Vector256<sbyte> signed)
    {
        Unsafe.SkipInit(out Vector256<int> result);
        ref var lanes = ref Unsafe.As<Vector256<int>, int>(ref result);
        for (var i = 0; i < 8; i++)
        {
            var sum = addend.GetElement(i);
            for (var k = 4 * i; k < 4 * i + 4; k++)
            {
                sum = unchecked(sum + unsigned.GetElement(k) * signed.GetElement(k));
            }

            Unsafe.Add(ref lanes, i) = sum;
        }

        return result;
    }
}
