using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Whether an int8 path sums u8×s8 products in int16 pairs (<c>vpmaddubsw</c>), which saturates on weights that <see cref="Int8PairsFit"/> rejects.</summary>
    private static bool PairsProducts(KernelPath path) => path is KernelPath.Avx2 or KernelPath.Avx512BW;

    private readonly unsafe partial struct QGemmJob
    {
        /// <summary>
        /// The 4×16 tile on zmm registers for AVX-512 CPUs without AVX-VNNI (.NET 10 has no 512-bit
        /// <c>vpdpbusd</c>): one 64-byte quad of the packed panel is all 16 columns × 4 k, so each
        /// row needs one <c>vpmaddubsw</c> (u8×s8 pairs → s16) and one <c>vpmaddwd</c> with ones
        /// (→ s32) per quad, against two of each for the AVX2 path's two ymm halves.
        /// </summary>
        private static void LoopAvx512BW(byte* a0, byte* a1, byte* a2, byte* a3, byte* p, int quads, int* acc)
        {
            Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default;
            var ones = Vector512.Create((short)1);
            for (var q = 0; q < quads; q++, p += 64)
            {
                var b = Avx512Ops.LoadVector512(p).AsSByte();
                c0 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(Vector512.Create(*(int*)(a0 + 4 * q)).AsByte(), b), ones);
                c1 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(Vector512.Create(*(int*)(a1 + 4 * q)).AsByte(), b), ones);
                c2 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(Vector512.Create(*(int*)(a2 + 4 * q)).AsByte(), b), ones);
                c3 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(Vector512.Create(*(int*)(a3 + 4 * q)).AsByte(), b), ones);
            }

            // Lane c of each row is column c: the panel's first 32 bytes are columns 0–7, the next 32 columns 8–15.
            c0.Store(acc); c1.Store(acc + 16); c2.Store(acc + 32); c3.Store(acc + 48);
        }
    }
}
