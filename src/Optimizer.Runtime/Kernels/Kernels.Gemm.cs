using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// The kernel set of compiled models. Every method is one step of a kernel program (see
/// <c>Compiled/README.md</c>): spans first, then integer, then float arguments.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static partial class Kernels
{
    /// <summary>Columns per packed B panel.</summary>
    public const int PanelWidth = 16;

    /// <summary>The float count of one packed <c>[k, n]</c> matrix: ⌈n/16⌉ panels of <c>k × 16</c>, zero padded.</summary>
    public static int PackedBLength(int k, int n) => (n + PanelWidth - 1) / PanelWidth * PanelWidth * k;

    /// <summary>
    /// Packs <paramref name="batch"/> matrices B (<c>[k, n]</c>, or <c>[n, k]</c> when
    /// <paramref name="transB"/> is 1), <paramref name="strideB"/> floats apart, into panels of
    /// 16 columns, each <c>k × 16</c> row-major; batch i starts at <c>i · PackedBLength(k, n)</c>.
    /// </summary>
    public static void PackB(ReadOnlySpan<float> b, Span<float> packed, int batch, int k, int n, int transB, int strideB)
    {
        var packedLength = PackedBLength(k, n);
        for (var bi = 0; bi < batch; bi++)
        {
            var src = b.Slice(bi * strideB);
            var dst = packed.Slice(bi * packedLength, packedLength);
            for (var panel = 0; panel * PanelWidth < n; panel++)
            {
                var p = dst.Slice(panel * PanelWidth * k, PanelWidth * k);
                var cols = Math.Min(PanelWidth, n - panel * PanelWidth);
                for (var kk = 0; kk < k; kk++)
                {
                    var row = p.Slice(kk * PanelWidth, PanelWidth);
                    if (transB == 0)
                    {
                        // B row-major (V, or a runtime weight): the panel row is a contiguous run of B's row.
                        src.Slice(kk * n + panel * PanelWidth, cols).CopyTo(row);
                    }
                    else
                    {
                        for (var j = 0; j < cols; j++)
                        {
                            row[j] = src[(panel * PanelWidth + j) * k + kk];
                        }
                    }

                    row.Slice(cols).Clear();
                }
            }
        }
    }

    /// <summary>
    /// <c>C = act(alpha · A · B + bias)</c> for <paramref name="batch"/> products: A <c>[m, k]</c>
    /// row-major, B packed by <see cref="PackB"/>, bias per column (<paramref name="n"/> floats)
    /// or empty. Strides are between consecutive products (0 shares the operand).
    /// <paramref name="act"/>: an <see cref="EpilogueActivation"/>, its parameters <paramref name="actMin"/>, <paramref name="actMax"/>.
    /// </summary>
    public static unsafe void Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> packedB, ReadOnlySpan<float> bias, Span<float> c,
        int batch, int m, int n, int k, int strideA, int strideB, int strideC, int act, float alpha, float actMin, float actMax)
    {
        fixed (float* pa = a, pb = packedB, pbias = bias, pc = c)
        {
            for (var bi = 0; bi < batch; bi++)
            {
                var job = new GemmJob(pa + (long)bi * strideA, k, pb + (long)bi * strideB, k, pc + (long)bi * strideC, n, m, n,
                    bias.IsEmpty ? null : pbias, false, alpha, act, actMin, actMax);
                job.Run();
            }
        }
    }

    /// <summary>One GEMM with its epilogue; <see cref="Run"/> splits the panels over threads when the product is large.</summary>
    internal readonly unsafe partial struct GemmJob(float* a, int lda, float* packed, int k, float* c, int ldc, int m, int n,
        float* bias, bool biasPerRow, float alpha, int act, float actMin, float actMax)
    {
        private const long ParallelThreshold = 1 << 21;

        // Rows of the smaller AVX2 tile (4 × 16 = 8 accumulators), for what the 6-row tile (Kernels.GemmAvx2.cs) leaves.
        private const int TileRows = 4;

        public void Run()
        {
            var panels = (n + PanelWidth - 1) / PanelWidth;
            var workers = Math.Min(KernelDispatch.MaxThreads, panels);
            if (workers > 1 && (long)m * n * k >= ParallelThreshold)
            {
                RunParallel(this, panels, workers);
            }
            else
            {
                RunPanels(0, panels);
            }
        }

        // Apart so the closure is allocated only when the work is split.
        private static void RunParallel(GemmJob job, int panels, int workers)
        {
            var chunk = (panels + workers - 1) / workers;
            Parallel.For(0, workers, w => job.RunPanels(w * chunk, Math.Min(panels, (w + 1) * chunk)));
        }

        public void RunPanels(int first, int end)
        {
            var path = KernelDispatch.Current.Fp32Gemm;
            if (path == KernelPath.Avx512F)
            {
                RunPanelsAvx512(first, end);
                return;
            }

            if (path == KernelPath.Avx2Fma)
            {
                for (var panel = first; panel < end; panel++)
                {
                    RunPanelAvx2(panel);
                }

                return;
            }

            for (var panel = first; panel < end; panel++)
            {
                var p = packed + (long)panel * PanelWidth * k;
                var cols = Math.Min(PanelWidth, n - panel * PanelWidth);
                var cp = c + panel * PanelWidth;
                if (path is KernelPath.Vector128)
                {
                    // x64 without AVX2 has 16 vector registers: 2 × 16 columns (8 accumulators + 4
                    // B vectors + the broadcast) fit; the 4-row tile's 16 accumulators would spill.
                    for (var row = 0; row < m; row += 2)
                    {
                        Micro2x16Vector128(a + (long)row * lda, lda, p, k, cp + (long)row * ldc, ldc, Math.Min(2, m - row), cols, row, panel * PanelWidth);
                    }
                }
                else if (path is KernelPath.AdvSimd)
                {
                    for (var row = 0; row < m; row += 4)
                    {
                        Micro4x16Vector128(a + (long)row * lda, lda, p, k, cp + (long)row * ldc, ldc, Math.Min(4, m - row), cols, row, panel * PanelWidth);
                    }
                }
                else
                {
                    for (var row = 0; row < m; row++)
                    {
                        MicroScalar(a + (long)row * lda, p, k, cp + (long)row * ldc, cols, row, panel * PanelWidth);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float Epilogue(float v, int row, int col)
        {
            v *= alpha;
            if (bias != null)
            {
                v += biasPerRow ? bias[row] : bias[col];
            }

            return ApplyEpilogue(v, act, actMin, actMax);
        }

        private void MicroScalar(float* ar, float* p, int k, float* cr, int cols, int row, int col0)
        {
            var acc = stackalloc float[PanelWidth];
            for (var j = 0; j < PanelWidth; j++)
            {
                acc[j] = 0;
            }

            for (var kk = 0; kk < k; kk++)
            {
                var av = ar[kk];
                var bp = p + kk * PanelWidth;
                for (var j = 0; j < PanelWidth; j++)
                {
                    acc[j] += av * bp[j];
                }
            }

            for (var j = 0; j < cols; j++)
            {
                cr[j] = Epilogue(acc[j], row, col0 + j);
            }
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro4x16Vector128(float* a0, int lda, float* p, int k, float* c, int ldc, int rows, int cols, int row0, int col0)
        {
            var a1 = a0 + (rows > 1 ? lda : 0);
            var a2 = a0 + (rows > 2 ? 2 * lda : 0);
            var a3 = a0 + (rows > 3 ? 3 * lda : 0);
            Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector128<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector128<float> c30 = default, c31 = default, c32 = default, c33 = default;
            for (var kk = 0; kk < k; kk++)
            {
                var b0 = Vector128.Load(p);
                var b1 = Vector128.Load(p + 4);
                var b2 = Vector128.Load(p + 8);
                var b3 = Vector128.Load(p + 12);
                p += PanelWidth;
                var v = Vector128.Create(a0[kk]);
                c00 = Vector128.MultiplyAddEstimate(v, b0, c00); c01 = Vector128.MultiplyAddEstimate(v, b1, c01);
                c02 = Vector128.MultiplyAddEstimate(v, b2, c02); c03 = Vector128.MultiplyAddEstimate(v, b3, c03);
                v = Vector128.Create(a1[kk]);
                c10 = Vector128.MultiplyAddEstimate(v, b0, c10); c11 = Vector128.MultiplyAddEstimate(v, b1, c11);
                c12 = Vector128.MultiplyAddEstimate(v, b2, c12); c13 = Vector128.MultiplyAddEstimate(v, b3, c13);
                v = Vector128.Create(a2[kk]);
                c20 = Vector128.MultiplyAddEstimate(v, b0, c20); c21 = Vector128.MultiplyAddEstimate(v, b1, c21);
                c22 = Vector128.MultiplyAddEstimate(v, b2, c22); c23 = Vector128.MultiplyAddEstimate(v, b3, c23);
                v = Vector128.Create(a3[kk]);
                c30 = Vector128.MultiplyAddEstimate(v, b0, c30); c31 = Vector128.MultiplyAddEstimate(v, b1, c31);
                c32 = Vector128.MultiplyAddEstimate(v, b2, c32); c33 = Vector128.MultiplyAddEstimate(v, b3, c33);
            }

            var tile = stackalloc float[4 * PanelWidth];
            c00.Store(tile); c01.Store(tile + 4); c02.Store(tile + 8); c03.Store(tile + 12);
            c10.Store(tile + 16); c11.Store(tile + 20); c12.Store(tile + 24); c13.Store(tile + 28);
            c20.Store(tile + 32); c21.Store(tile + 36); c22.Store(tile + 40); c23.Store(tile + 44);
            c30.Store(tile + 48); c31.Store(tile + 52); c32.Store(tile + 56); c33.Store(tile + 60);
            StoreTile(tile, rows, cols, c, ldc, row0, col0);
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro2x16Vector128(float* a0, int lda, float* p, int k, float* c, int ldc, int rows, int cols, int row0, int col0)
        {
            var a1 = a0 + (rows > 1 ? lda : 0);
            Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
            for (var kk = 0; kk < k; kk++)
            {
                var b0 = Vector128.Load(p);
                var b1 = Vector128.Load(p + 4);
                var b2 = Vector128.Load(p + 8);
                var b3 = Vector128.Load(p + 12);
                p += PanelWidth;
                var v = Vector128.Create(a0[kk]);
                c00 = Vector128.MultiplyAddEstimate(v, b0, c00); c01 = Vector128.MultiplyAddEstimate(v, b1, c01);
                c02 = Vector128.MultiplyAddEstimate(v, b2, c02); c03 = Vector128.MultiplyAddEstimate(v, b3, c03);
                v = Vector128.Create(a1[kk]);
                c10 = Vector128.MultiplyAddEstimate(v, b0, c10); c11 = Vector128.MultiplyAddEstimate(v, b1, c11);
                c12 = Vector128.MultiplyAddEstimate(v, b2, c12); c13 = Vector128.MultiplyAddEstimate(v, b3, c13);
            }

            var tile = stackalloc float[2 * PanelWidth];
            c00.Store(tile); c01.Store(tile + 4); c02.Store(tile + 8); c03.Store(tile + 12);
            c10.Store(tile + 16); c11.Store(tile + 20); c12.Store(tile + 24); c13.Store(tile + 28);
            StoreTile(tile, rows, cols, c, ldc, row0, col0);
        }

        private void StoreTile(float* tile, int rows, int cols, float* c, int ldc, int row0, int col0)
        {
            for (var r = 0; r < rows; r++)
            {
                for (var j = 0; j < cols; j++)
                {
                    c[(long)r * ldc + j] = Epilogue(tile[r * PanelWidth + j], row0 + r, col0 + j);
                }
            }
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro1x16Fma(float* a, float* p, int k, float* c, int cols, int row, int col0)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            var kk = 0;
            for (; kk + 4 <= k; kk += 4, p += 4 * PanelWidth)
            {
                var v = Vector256.Create(a[kk]);
                c0 = Fma.MultiplyAdd(v, Avx.LoadVector256(p), c0); c1 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 8), c1);
                v = Vector256.Create(a[kk + 1]);
                c2 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 16), c2); c3 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 24), c3);
                v = Vector256.Create(a[kk + 2]);
                c4 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 32), c4); c5 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 40), c5);
                v = Vector256.Create(a[kk + 3]);
                c6 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 48), c6); c7 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 56), c7);
            }

            for (; kk < k; kk++, p += PanelWidth)
            {
                var v = Vector256.Create(a[kk]);
                c0 = Fma.MultiplyAdd(v, Avx.LoadVector256(p), c0); c1 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 8), c1);
            }

            var tile = stackalloc float[PanelWidth];
            Avx.Store(tile, (c0 + c2) + (c4 + c6));
            Avx.Store(tile + 8, (c1 + c3) + (c5 + c7));
            StoreTile(tile, 1, cols, c, 0, row, col0);
        }

        [SkipLocalsInit] // the tile is written whole before it is read

        private void Micro4x16Fma(float* a0, int lda, float* p, int k, float* c, int ldc, int rows, int cols, int row0, int col0)
        {
            var a1 = a0 + (rows > 1 ? lda : 0);
            var a2 = a0 + (rows > 2 ? 2 * lda : 0);
            var a3 = a0 + (rows > 3 ? 3 * lda : 0);
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default;
            // A panel's first row tile prefetches the next panel (weights stream from DRAM at few rows:
            // +8–13% GFLOP/s at 16 rows); the other tiles touch their own line, as one more load costs them ~2%.
            var nextPanel = row0 == 0 ? (long)PanelWidth * k : 0;
            for (var kk = 0; kk < k; kk++)
            {
                Sse.Prefetch0(p + nextPanel);
                var b0 = Avx.LoadVector256(p);
                var b1 = Avx.LoadVector256(p + 8);
                p += PanelWidth;
                var v = Vector256.Create(a0[kk]);
                c00 = Fma.MultiplyAdd(v, b0, c00); c01 = Fma.MultiplyAdd(v, b1, c01);
                v = Vector256.Create(a1[kk]);
                c10 = Fma.MultiplyAdd(v, b0, c10); c11 = Fma.MultiplyAdd(v, b1, c11);
                v = Vector256.Create(a2[kk]);
                c20 = Fma.MultiplyAdd(v, b0, c20); c21 = Fma.MultiplyAdd(v, b1, c21);
                v = Vector256.Create(a3[kk]);
                c30 = Fma.MultiplyAdd(v, b0, c30); c31 = Fma.MultiplyAdd(v, b1, c31);
            }

            if (rows == TileRows && cols == PanelWidth)
            {
                var (alphaV, bias0, bias1) = EpilogueVectors(col0);
                StoreRowAvx2(c, c00, c01, alphaV, bias0, bias1, row0);
                StoreRowAvx2(c + ldc, c10, c11, alphaV, bias0, bias1, row0 + 1);
                StoreRowAvx2(c + 2 * ldc, c20, c21, alphaV, bias0, bias1, row0 + 2);
                StoreRowAvx2(c + 3 * ldc, c30, c31, alphaV, bias0, bias1, row0 + 3);
                return;
            }

            // Otherwise spill the tile once, with nothing else live: accumulators that stay live across
            // the epilogue's calls make the JIT store them to the stack on every k step.
            var tile = stackalloc float[TileRows * PanelWidth];
            Avx.Store(tile, c00); Avx.Store(tile + 8, c01); Avx.Store(tile + 16, c10); Avx.Store(tile + 24, c11);
            Avx.Store(tile + 32, c20); Avx.Store(tile + 40, c21); Avx.Store(tile + 48, c30); Avx.Store(tile + 56, c31);
            StoreSpilledTile(tile, rows, cols, c, ldc, row0, col0);
        }

        /// <summary>The epilogue of a register tile spilled to <paramref name="tile"/> (16-float rows): whole panels vectorized, a partial one column by column.</summary>
        private void StoreSpilledTile(float* tile, int rows, int cols, float* c, int ldc, int row0, int col0)
        {
            if (cols == PanelWidth)
            {
                StoreFullTile(tile, rows, c, ldc, row0, col0);
            }
            else
            {
                StoreTile(tile, rows, cols, c, ldc, row0, col0);
            }
        }

        /// <summary>Alpha, bias (per column or row) and the activation on whole 16-column rows of the tile.</summary>
        private void StoreFullTile(float* tile, int rows, float* c, int ldc, int row0, int col0)
        {
            var alphaV = Vector256.Create(alpha);
            Vector256<float> bias0 = default, bias1 = default;
            if (bias != null && !biasPerRow)
            {
                bias0 = Avx.LoadVector256(bias + col0);
                bias1 = Avx.LoadVector256(bias + col0 + 8);
            }

            for (var r = 0; r < rows; r++)
            {
                var x0 = Avx.LoadVector256(tile + r * PanelWidth) * alphaV;
                var x1 = Avx.LoadVector256(tile + r * PanelWidth + 8) * alphaV;
                if (bias != null)
                {
                    if (biasPerRow)
                    {
                        var bv = Vector256.Create(bias[row0 + r]);
                        x0 += bv;
                        x1 += bv;
                    }
                    else
                    {
                        x0 += bias0;
                        x1 += bias1;
                    }
                }

                x0 = ApplyEpilogue(x0, act, actMin, actMax);
                x1 = ApplyEpilogue(x1, act, actMin, actMax);

                Avx.Store(c + (long)r * ldc, x0);
                Avx.Store(c + (long)r * ldc + 8, x1);
            }
        }
    }
}
