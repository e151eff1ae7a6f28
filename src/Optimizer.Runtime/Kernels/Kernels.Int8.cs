using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Bytes of one packed int8 <c>[k, n]</c> matrix: ⌈n/16⌉ panels of ⌈k/4⌉ quads of 64 bytes.</summary>
    public static int PackedInt8BLength(int k, int n) => (n + PanelWidth - 1) / PanelWidth * ((k + 3) / 4) * 64;

    /// <summary>
    /// Packs int8 B (<c>[k, n]</c>, or <c>[n, k]</c> when <paramref name="transB"/> is 1) for
    /// <see cref="QGemm"/>: per panel of 16 columns and per 4 consecutive k, 64 bytes holding
    /// columns 0–7 then 8–15, each as 4 k-values (the operand layout of <c>vpdpbusd</c> and
    /// <c>vpmaddubsw</c>). Missing rows and columns are zero.
    /// </summary>
    public static void PackInt8B(ReadOnlySpan<sbyte> b, Span<byte> packed, int k, int n, int transB)
    {
        var quads = (k + 3) / 4;
        packed.Slice(0, PackedInt8BLength(k, n)).Clear();
        for (var kk = 0; kk < k; kk++)
        {
            for (var col = 0; col < n; col++)
            {
                var value = transB != 0 ? b[col * k + kk] : b[kk * n + col];
                var panel = col / PanelWidth;
                var c = col % PanelWidth;
                packed[(panel * quads + kk / 4) * 64 + c / 8 * 32 + c % 8 * 4 + kk % 4] = (byte)value;
            }
        }
    }

    /// <summary>
    /// Whether every pair of consecutive k-values of each column satisfies |b₀| + |b₁| ≤ 128, so
    /// the AVX2 and AVX-512BW paths (<c>vpmaddubsw</c>, int16 pair sums) cannot saturate and all paths agree bit for bit.
    /// Weights from our quantizer with the default reduced range (7 bits) always do.
    /// </summary>
    public static bool Int8PairsFit(ReadOnlySpan<sbyte> b, int k, int n, int transB)
    {
        for (var col = 0; col < n; col++)
        {
            for (var kk = 0; kk + 1 < k; kk += 2)
            {
                int b0 = transB != 0 ? b[col * k + kk] : b[kk * n + col];
                int b1 = transB != 0 ? b[col * k + kk + 1] : b[(kk + 1) * n + col];
                if (Math.Abs(b0) + Math.Abs(b1) > 128)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// u8 × s8 → s32 GEMM with requantization: <c>acc = Σ a·b + bias[col]</c> (the bias already
    /// holds <c>−aZero · Σₖ b</c>), then per column <c>v = acc · scale[col]</c>; y is uint8
    /// (<paramref name="outputKind"/> 0: <c>clamp(round_half_even(v) + yZero)</c>), int8 (1) or
    /// float32 (2, y's bytes hold floats). <paramref name="act"/> 1 clamps below at the zero point (Relu).
    /// A is <c>[m, lda]</c> row-major (lda ≥ k).
    /// </summary>
    public static unsafe void QGemm(ReadOnlySpan<byte> a, ReadOnlySpan<byte> packedB, ReadOnlySpan<int> bias, ReadOnlySpan<float> scale, Span<byte> y,
        int m, int n, int k, int lda, int outputKind, int yZero, int act)
    {
        fixed (byte* pa = a, pb = packedB, py = y)
        fixed (int* pbias = bias)
        fixed (float* pscale = scale)
        {
            new QGemmJob(pa, lda, pb, k, pbias, pscale, py, n, 1, m, n, outputKind, yZero, act).Run(parallel: true);
        }
    }

    /// <summary>Bytes of scratch one image of a <see cref="QConv"/> needs (its im2col rows, k padded to 4).</summary>
    public static int QConvScratchLength(int c, int kh, int kw, int oh, int ow) => oh * ow * ((c * kh * kw + 3) / 4 * 4);

    /// <summary>
    /// Quantized 2-D convolution (group 1), NCHW uint8 in: the im2col rows of each image
    /// (<c>[oh·ow, c·kh·kw]</c>, padding = <paramref name="xZero"/>) times the packed weights
    /// <c>[c·kh·kw, m]</c>, requantized like <see cref="QGemm"/> and written as NCHW.
    /// <paramref name="act"/> 1 clamps below at the zero point (Relu); adding <see cref="QConvPooled"/>
    /// writes the uint8 output 2×2/2 max-pooled (<c>[m, oh/2, ow/2]</c> per image: max commutes with requantization),
    /// adding <see cref="QConvPooledPairs"/> 1×2/1×2 max-pooled (<c>[m, oh, ow/2]</c>).
    /// Scratch: <c>n · QConvScratchLength</c> bytes. Images run in parallel. On the x86 int8 paths with
    /// <c>vpmaddubsw</c>, small planes over a batch run as one GEMM (<see cref="QConvBatched"/>, given the compiler's
    /// <paramref name="tapMajorW"/> (<see cref="PackInt8TapMajor"/>) and <paramref name="pixelTables"/> (<see cref="PackQConvPixelTables"/>);
    /// without them, per image) and
    /// 2×2-pooled convolutions with a small k pool their int32 sums (<see cref="QConvPooledWindows"/>).
    /// </summary>
    public static unsafe void QConv(ReadOnlySpan<byte> x, ReadOnlySpan<byte> packedW, ReadOnlySpan<int> bias, ReadOnlySpan<float> scale, Span<byte> y, Span<byte> scratch,
        ReadOnlySpan<byte> tapMajorW, ReadOnlySpan<byte> pixelTables,
        int n, int c, int h, int w, int m, int kh, int kw, int oh, int ow, int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW,
        int xZero, int outputKind, int yZero, int act)
    {
        var shape = new ConvShape(c, h, w, m, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, 1);
        var perImage = QConvScratchLength(c, kh, kw, oh, ow);
        var outBytes = outputKind == 2 ? 4 : 1;
        var poolRows = (act & QConvPooled) != 0 ? 2 : (act & QConvPooledPairs) != 0 ? 1 : 0;
        if (poolRows != 0 && outputKind != 0)
        {
            throw new ArgumentException("A pooled quantized convolution writes uint8.", nameof(act));
        }

        var batched = !tapMajorW.IsEmpty || !pixelTables.IsEmpty;
        if (batched && (tapMajorW.Length != PackedInt8TapMajorLength(c, m, kh, kw) || pixelTables.Length != QConvPixelTablesLength(c, m, kh, kw, oh, ow)))
        {
            throw new ArgumentException("The tap-major weights or the pixel tables do not match the convolution's shape.", nameof(pixelTables));
        }

        if (batched && QConvRunsBatched(n, c, oh, ow, outputKind))
        {
            fixed (byte* px = x, pw = tapMajorW, pt = pixelTables, py = y)
            {
                QConvBatched(shape, px, pw, pt, py, n, outputKind, yZero, act & ~(QConvPooled | QConvPooledPairs), poolRows);
                return;
            }
        }

        // Looked up once per call, not per image.
        var gather = PixelLanes(KernelDispatch.Current.Int8Gemm) ? QuadGatherTableFor(shape) : null;
        var shuffles = gather is null && PixelLanes(KernelDispatch.Current.Int8Gemm) && PlaneShufflesFit(shape) ? PlaneShuffleTableFor(shape) : null;
        if (QConvRunsPooledWindows(c, kh, kw, oh, ow, outputKind, poolRows))
        {
            fixed (byte* px = x, pw = packedW, py = y)
            fixed (int* pbias = bias)
            fixed (float* pscale = scale)
            {
                QConvPooledWindows(shape, px, pw, pbias, pscale, py, n, xZero, yZero, act & ~QConvPooled, gather, shuffles);
                return;
            }
        }

        fixed (byte* px = x, pw = packedW, py = y, ps = scratch)
        fixed (int* pbias = bias)
        fixed (float* pscale = scale)
        {
            var job = new QConvJob(shape, px, pw, pbias, pscale, py, ps, perImage, xZero, outputKind, yZero, act & ~(QConvPooled | QConvPooledPairs), outBytes, poolRows, gather, shuffles);
            if (n > 1 && KernelDispatch.MaxThreads > 1)
            {
                RunImagesInParallel(job, n);
            }
            else
            {
                // One thread: every image reuses the first image's scratch, which stays in cache.
                for (var i = 0; i < n; i++)
                {
                    job.RunImage(i, 0);
                }
            }
        }
    }

    /// <summary>The flag of <see cref="QConv"/>'s <c>act</c> that pools its output 2×2 with stride 2.</summary>
    public const int QConvPooled = 2;

    /// <summary>The flag of <see cref="QConv"/>'s <c>act</c> that pools its output 1×2 with stride 1×2 (each row's pixel pairs).</summary>
    public const int QConvPooledPairs = 4;

    // The unpooled output of one image where the pool cannot run in the epilogue: per thread.
    [ThreadStatic]
    private static byte[]? _unpooled;

    private static void RunImagesInParallel(QConvJob job, int n) =>
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = KernelDispatch.MaxThreads }, i => job.RunImage(i, i));

    private readonly unsafe struct QConvJob(ConvShape s, byte* x, byte* weights, int* bias, float* scale, byte* y, byte* scratch, int perImage,
        int xZero, int outputKind, int yZero, int act, int outBytes, int poolRows, QuadGatherTable? gather, byte[]? shuffles)
    {
        /// <summary>Image <paramref name="image"/>, with the scratch of image <paramref name="slot"/>.</summary>
        public void RunImage(int image, int slot)
        {
            var kp = (s.K + 3) / 4 * 4;
            var rows = scratch + (long)slot * perImage;
            var xImage = x + (long)image * s.C * s.H * s.W;
            var path = KernelDispatch.Current.Int8Gemm;
            var pooled = poolRows != 0;
            var poolInEpilogue = poolRows == 2 && PixelLanes(path) && PoolsInEpilogue(s);
            var pooledImage = pooled ? y + (long)image * s.M * (s.OH / poolRows) * (s.OW / 2) : null;
            var yImage = poolInEpilogue ? pooledImage : pooled ? ThreadBuffer(ref _unpooled, (long)s.M * s.P) : y + (long)image * s.M * s.P * outBytes;
            if (PixelLanes(path))
            {
                var interleaved = BuildPixelQuads(s, xImage, rows, (byte)xZero, gather, shuffles);
                QConvPixelLanes(interleaved, s.P, kp / 4, weights, s.M, bias, scale, yImage, outputKind, yZero, act, poolInEpilogue ? s.OW : 0, path);
            }
            else
            {
                Im2ColRows(s, xImage, rows, kp, (byte)xZero);
                // Rows are output pixels, columns output channels: write column-major into NCHW. k is
                // padded to whole quads (the im2col pads with the zero point, the packed weights with 0).
                new QGemmJob(rows, kp, weights, kp, bias, scale, yImage, 1, s.P, s.P, s.M, outputKind, yZero, act).Run(parallel: false);
            }

            if (pooled && !poolInEpilogue)
            {
                PoolPairsU8(yImage, pooledImage, s.M, s.OH, s.OW, poolRows);
            }
        }
    }

    /// <summary>
    /// One image's pixel blocks (<see cref="InterleavePixelQuads"/>'s layout, in this thread's buffer) by the fastest
    /// gather the shape has: the vpermi2b table, the plane shuffles, the row segments, else im2col rows (in <paramref name="rows"/>) regrouped.
    /// </summary>
    private static unsafe byte* BuildPixelQuads(in ConvShape s, byte* xImage, byte* rows, byte pad, QuadGatherTable? gather, byte[]? shuffles)
    {
        var kp = (s.K + 3) / 4 * 4;
        var interleaved = PixelQuads(s.P, kp / 4);
        if (gather is not null)
        {
            GatherPixelQuads(gather, s, xImage, pad, interleaved);
        }
        else if (shuffles is not null)
        {
            ShufflePixelQuads(shuffles, s, xImage, pad, interleaved);
        }
        else if (RowSegmentsFit(s))
        {
            InterleaveRowSegments(s, xImage, pad, interleaved);
        }
        else
        {
            Im2ColRows(s, xImage, rows, kp, pad);
            InterleavePixelQuads(rows, s.P, kp / 4, interleaved);
        }

        return interleaved;
    }

    // Bytes of the padded image Im2ColRowsPadded keeps on the stack; a larger one goes in a per-thread buffer.
    private const int MaxPaddedImageBytes = 16384;

    // Larger padded images (the wake-word embedding model's 24 × 74 × 34): kept per thread, so a run allocates nothing once warm.
    [ThreadStatic]
    private static byte[]? _paddedImage;

    /// <summary>
    /// <see cref="Im2ColRows"/> through a copy of the image padded on every side with the zero
    /// point: every (pixel, channel, kernel row) is then <c>KW</c> contiguous bytes, copied
    /// without bounds checks.
    /// </summary>
    private static unsafe void Im2ColRowsPadded(in ConvShape s, byte* x, byte* rows, int kp, byte pad, int paddedH, int paddedW, byte* image)
    {
        int c = s.C, h = s.H, w = s.W, kh = s.KH, kw = s.KW, oh = s.OH, ow = s.OW;
        var paddedPlane = paddedH * paddedW;
        new Span<byte>(image, c * paddedPlane).Fill(pad);
        // Input rows/columns that land inside the padded image (padding may also crop it).
        var firstX = Math.Max(0, -s.PadLeft);
        var countX = Math.Min(w, paddedW - s.PadLeft) - firstX;
        var firstY = Math.Max(0, -s.PadTop);
        var endY = Math.Min(h, paddedH - s.PadTop);
        if (countX > 0)
        {
            for (var ci = 0; ci < c; ci++)
            {
                for (var iy = firstY; iy < endY; iy++)
                {
                    new Span<byte>(x + ((long)ci * h + iy) * w + firstX, countX)
                        .CopyTo(new Span<byte>(image + ci * paddedPlane + (iy + s.PadTop) * paddedW + firstX + s.PadLeft, countX));
                }
            }
        }

        var k = c * kh * kw;
        var row = rows;
        for (var oy = 0; oy < oh; oy++)
        {
            for (var ox = 0; ox < ow; ox++, row += kp)
            {
                var dst = row;
                var rowEnd = row + kp;
                var window = image + oy * s.StrideH * paddedW + ox * s.StrideW;
                for (var ci = 0; ci < c; ci++, window += paddedPlane)
                {
                    var line = window;
                    for (var ky = 0; ky < kh; ky++, dst += kw, line += s.DilH * paddedW)
                    {
                        if (kw == 3 && dst + 4 <= rowEnd)
                        {
                            // One 4-byte move; its last byte is overwritten by the next group (or the padding).
                            Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<uint>(line));
                        }
                        else if (kw == 3)
                        {
                            Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<ushort>(line));
                            dst[2] = line[2];
                        }
                        else
                        {
                            for (var kx = 0; kx < kw; kx++)
                            {
                                dst[kx] = line[kx];
                            }
                        }
                    }
                }

                for (var col = k; col < kp; col++)
                {
                    row[col] = pad;
                }
            }
        }
    }

    private static unsafe void Im2ColRows(in ConvShape s, byte* x, byte* rows, int kp, byte pad)
    {
        var paddedH = (s.OH - 1) * s.StrideH + (s.KH - 1) * s.DilH + 1;
        var paddedW = (s.OW - 1) * s.StrideW + (s.KW - 1) * s.DilW + 1;
        var imageBytes = (long)s.C * paddedH * paddedW + 4; // + 4: a 3-byte group is read as 4
        if (s.DilW == 1 && imageBytes <= MaxPaddedImageBytes)
        {
            var image = stackalloc byte[(int)imageBytes];
            Im2ColRowsPadded(s, x, rows, kp, pad, paddedH, paddedW, image);
            return;
        }

        if (s.DilW == 1 && imageBytes <= Array.MaxLength)
        {
            Im2ColRowsPadded(s, x, rows, kp, pad, paddedH, paddedW, ThreadBuffer(ref _paddedImage, imageBytes));
            return;
        }

        int c = s.C, h = s.H, w = s.W, kh = s.KH, kw = s.KW, oh = s.OH, ow = s.OW;
        int strideH = s.StrideH, strideW = s.StrideW, dilH = s.DilH, dilW = s.DilW, padTop = s.PadTop, padLeft = s.PadLeft;
        var plane = h * w;
        var row = rows;
        for (var oy = 0; oy < oh; oy++)
        {
            for (var ox = 0; ox < ow; ox++, row += kp)
            {
                var dst = row;
                var x0 = ox * strideW - padLeft;
                var inside = x0 >= 0 && x0 + (kw - 1) * dilW < w;
                for (var ci = 0; ci < c; ci++)
                {
                    var src = x + ci * plane;
                    for (var ky = 0; ky < kh; ky++, dst += kw)
                    {
                        var iy = oy * strideH - padTop + ky * dilH;
                        if ((uint)iy >= (uint)h)
                        {
                            new Span<byte>(dst, kw).Fill(pad);
                            continue;
                        }

                        var line = src + iy * w + x0;
                        if (inside)
                        {
                            for (var kx = 0; kx < kw; kx++)
                            {
                                dst[kx] = line[kx * dilW];
                            }
                        }
                        else
                        {
                            for (var kx = 0; kx < kw; kx++)
                            {
                                var ix = x0 + kx * dilW;
                                dst[kx] = (uint)ix < (uint)w ? line[kx * dilW] : pad;
                            }
                        }
                    }
                }

                for (var col = c * kh * kw; col < kp; col++)
                {
                    row[col] = pad;
                }
            }
        }
    }

    /// <summary>One quantized GEMM; y element (row, col) is at <c>row · yRowStride + col · yColStride</c> elements.</summary>
    private readonly unsafe partial struct QGemmJob(byte* a, int lda, byte* packed, int k, int* bias, float* scale, byte* y, long yRowStride, long yColStride,
        int m, int n, int outputKind, int yZero, int act, bool pairsFit = true)
    {
        private const long ParallelThreshold = 1 << 22;

        public void Run(bool parallel)
        {
            var panels = (n + PanelWidth - 1) / PanelWidth;
            var workers = Math.Min(KernelDispatch.MaxThreads, panels);
            if (parallel && workers > 1 && (long)m * n * k >= ParallelThreshold)
            {
                RunParallel(this, panels, workers);
            }
            else
            {
                RunPanels(0, panels);
            }
        }

        // Apart so the closure is allocated only when the work is split.
        private static void RunParallel(QGemmJob job, int panels, int workers)
        {
            var chunk = (panels + workers - 1) / workers;
            Parallel.For(0, workers, w => job.RunPanels(w * chunk, Math.Min(panels, (w + 1) * chunk)));
        }

        private void RunPanels(int first, int end)
        {
            var quads = (k + 3) / 4;
            var path = KernelDispatch.Current.Int8Gemm;
            if (PairsProducts(path) && !pairsFit)
            {
                path = KernelPath.Scalar; // vpmaddubsw could saturate on these weights
            }

            var acc = stackalloc int[4 * PanelWidth];
            for (var panel = first; panel < end; panel++)
            {
                var p = packed + (long)panel * quads * 64;
                var col0 = panel * PanelWidth;
                var cols = Math.Min(PanelWidth, n - col0);
                for (var row = 0; row < m; row += 4)
                {
                    var rows = Math.Min(4, m - row);
                    var ar = a + (long)row * lda;
                    if (path is KernelPath.AvxVnni or KernelPath.Avx2 or KernelPath.Avx512BW)
                    {
                        Micro4x16(ar, lda, p, rows, acc, path);
                    }
                    else
                    {
                        MicroScalar(ar, lda, p, rows, acc);
                    }

                    Store(acc, row, rows, col0, cols);
                }
            }
        }

        private void MicroScalar(byte* ar, int lda, byte* p, int rows, int* acc)
        {
            var quads = (k + 3) / 4;
            for (var r = 0; r < rows; r++)
            {
                var arow = ar + (long)r * lda;
                for (var c = 0; c < PanelWidth; c++)
                {
                    var sum = 0;
                    var cp = p + c / 8 * 32 + c % 8 * 4;
                    for (var kk = 0; kk < k; kk++)
                    {
                        sum += arow[kk] * (sbyte)cp[kk / 4 * 64 + kk % 4];
                    }

                    acc[r * PanelWidth + c] = sum;
                }
            }

            _ = quads;
        }

        private void Micro4x16(byte* a0, int lda, byte* p, int rows, int* acc, KernelPath path)
        {
            var a1 = a0 + (rows > 1 ? lda : 0);
            var a2 = a0 + (rows > 2 ? 2 * lda : 0);
            var a3 = a0 + (rows > 3 ? 3 * lda : 0);
            var full = k / 4;
            var vnni = path == KernelPath.AvxVnni;
            if (rows == 1)
            {
                LoopOneRow(a0, p, full, acc, vnni);
            }
            else if (vnni)
            {
                LoopVnni(a0, a1, a2, a3, p, full, acc);
            }
            else if (path == KernelPath.Avx512BW)
            {
                LoopAvx512BW(a0, a1, a2, a3, p, full, acc);
            }
            else
            {
                LoopAvx2(a0, a1, a2, a3, p, full, acc);
            }

            if (k % 4 != 0)
            {
                // The last partial quad: read only the bytes that exist (B is zero past k).
                var tails = stackalloc int[4];
                tails[0] = Tail(a0 + 4 * full); tails[1] = Tail(a1 + 4 * full); tails[2] = Tail(a2 + 4 * full); tails[3] = Tail(a3 + 4 * full);
                AddTailQuad(tails, p + (long)full * 64, rows, acc, vnni);
            }
        }

        /// <summary>
        /// One row of A (a batch-1 MatMul, a dense convolution's image): the 4-row tile would compute it four times. The same
        /// sums as the tile's row (<c>vpdpbusd</c>, or <c>vpmaddubsw</c> + <c>vpmaddwd</c> on weights whose pairs fit int16).
        /// </summary>
        private static void LoopOneRow(byte* a, byte* p, int quads, int* acc, bool vnni)
        {
            Vector256<int> c0 = default, c1 = default;
            var ones = Vector256.Create((short)1);
            for (var q = 0; q < quads; q++, p += 64)
            {
                var b0 = Avx.LoadVector256(p).AsSByte();
                var b1 = Avx.LoadVector256(p + 32).AsSByte();
                var v = Vector256.Create(*(int*)(a + 4 * q)).AsByte();
                if (vnni)
                {
                    c0 = Avx512Ops.MultiplyWideningAndAdd(c0, v, b0); c1 = Avx512Ops.MultiplyWideningAndAdd(c1, v, b1);
                }
                else
                {
                    c0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b0), ones); c1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b1), ones);
                }
            }

            c0.Store(acc); c1.Store(acc + 8);
        }

        /// <summary>Adds the partial last quad (each row's remaining bytes in <paramref name="tails"/>, zero above k) to the rows' sums, as the loops add a quad.</summary>
        private static void AddTailQuad(int* tails, byte* quad, int rows, int* acc, bool vnni)
        {
            var b0 = Avx.LoadVector256(quad).AsSByte();
            var b1 = Avx.LoadVector256(quad + 32).AsSByte();
            var ones = Vector256.Create((short)1);
            for (var r = 0; r < rows; r++)
            {
                var v = Vector256.Create(tails[r]).AsByte();
                var row = acc + r * PanelWidth;
                var (s0, s1) = (Vector256.Load(row), Vector256.Load(row + 8));
                if (vnni)
                {
                    s0 = Avx512Ops.MultiplyWideningAndAdd(s0, v, b0); s1 = Avx512Ops.MultiplyWideningAndAdd(s1, v, b1);
                }
                else
                {
                    s0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b0), ones); s1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b1), ones);
                }

                s0.Store(row); s1.Store(row + 8);
            }
        }

        // The k loops have no calls in them, so the eight accumulators stay in registers.
        private static void LoopAvx2(byte* a0, byte* a1, byte* a2, byte* a3, byte* p, int quads, int* acc)
        {
            Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            var ones = Vector256.Create((short)1);
            for (var q = 0; q < quads; q++, p += 64)
            {
                var b0 = Avx.LoadVector256(p).AsSByte();
                var b1 = Avx.LoadVector256(p + 32).AsSByte();
                var v = Vector256.Create(*(int*)(a0 + 4 * q)).AsByte();
                c00 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b0), ones); c01 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b1), ones);
                v = Vector256.Create(*(int*)(a1 + 4 * q)).AsByte();
                c10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b0), ones); c11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b1), ones);
                v = Vector256.Create(*(int*)(a2 + 4 * q)).AsByte();
                c20 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b0), ones); c21 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b1), ones);
                v = Vector256.Create(*(int*)(a3 + 4 * q)).AsByte();
                c30 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b0), ones); c31 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, b1), ones);
            }

            c00.Store(acc); c01.Store(acc + 8); c10.Store(acc + 16); c11.Store(acc + 24);
            c20.Store(acc + 32); c21.Store(acc + 40); c30.Store(acc + 48); c31.Store(acc + 56);
        }

        private static void LoopVnni(byte* a0, byte* a1, byte* a2, byte* a3, byte* p, int quads, int* acc)
        {
            Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            for (var q = 0; q < quads; q++, p += 64)
            {
                var b0 = Avx.LoadVector256(p).AsSByte();
                var b1 = Avx.LoadVector256(p + 32).AsSByte();
                var v = Vector256.Create(*(int*)(a0 + 4 * q)).AsByte(); c00 = Avx512Ops.MultiplyWideningAndAdd(c00, v, b0); c01 = Avx512Ops.MultiplyWideningAndAdd(c01, v, b1);
                v = Vector256.Create(*(int*)(a1 + 4 * q)).AsByte(); c10 = Avx512Ops.MultiplyWideningAndAdd(c10, v, b0); c11 = Avx512Ops.MultiplyWideningAndAdd(c11, v, b1);
                v = Vector256.Create(*(int*)(a2 + 4 * q)).AsByte(); c20 = Avx512Ops.MultiplyWideningAndAdd(c20, v, b0); c21 = Avx512Ops.MultiplyWideningAndAdd(c21, v, b1);
                v = Vector256.Create(*(int*)(a3 + 4 * q)).AsByte(); c30 = Avx512Ops.MultiplyWideningAndAdd(c30, v, b0); c31 = Avx512Ops.MultiplyWideningAndAdd(c31, v, b1);
            }

            c00.Store(acc); c01.Store(acc + 8); c10.Store(acc + 16); c11.Store(acc + 24);
            c20.Store(acc + 32); c21.Store(acc + 40); c30.Store(acc + 48); c31.Store(acc + 56);
        }

        private int Tail(byte* at)
        {
            var value = 0;
            for (var i = 0; i < k % 4; i++)
            {
                value |= at[i] << (8 * i);
            }

            return value;
        }

        private void Store(int* acc, int row0, int rows, int col0, int cols)
        {
            if (outputKind == 3)
            {
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < cols; c++)
                    {
                        ((int*)y)[(row0 + r) * yRowStride + (col0 + c) * yColStride] = acc[r * PanelWidth + c] + bias[col0 + c];
                    }
                }

                return;
            }

            float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
            if (act == 1)
            {
                lo = Math.Max(lo, yZero);
            }

            if (outputKind != 2)
            {
                StoreQuantizedTile(acc, row0, rows, col0, cols, lo, hi);
                return;
            }

            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    var col = col0 + c;
                    var value = (float)(acc[r * PanelWidth + c] + bias[col]) * (scale == null ? 1f : scale[col]);
                    var index = (row0 + r) * yRowStride + col * yColStride;
                    if (outputKind == 2)
                    {
                        ((float*)y)[index] = act == 1 ? MathF.Max(value, 0f) : value;
                    }
                    else
                    {
                        var q = MathF.Min(MathF.Max(MathF.Round(value) + yZero, lo), hi);
                        y[index] = outputKind == 1 ? (byte)(sbyte)q : (byte)q;
                    }
                }
            }
        }
    }

    /// <summary>
    /// DynamicQuantizeLinear: scale = (max(0, max x) − min(0, min x)) / 255 (1 when that is 0),
    /// zero point = round(clamp(−min / scale, 0, 255)), y = saturate(round_half_even(x / scale) + zero point).
    /// Writes y (uint8), the scale (one float) and the zero point (one byte).
    /// </summary>
    public static void DynamicQuantize(ReadOnlySpan<float> x, Span<byte> y, Span<float> scale, Span<byte> zeroPoint, int count)
    {
        x = x.Slice(0, count);
        var min = count == 0 ? 0f : MathF.Min(0f, System.Numerics.Tensors.TensorPrimitives.Min(x));
        var max = count == 0 ? 0f : MathF.Max(0f, System.Numerics.Tensors.TensorPrimitives.Max(x));
        var s = max == min ? 1f : (max - min) / 255f;
        var zero = MathF.Round(Math.Clamp(0f - min / s, 0f, 255f), MidpointRounding.AwayFromZero);
        scale[0] = s;
        zeroPoint[0] = (byte)zero;
        for (var i = 0; i < count; i++)
        {
            y[i] = (byte)MathF.Min(MathF.Max(MathF.Round(x[i] / s) + zero, 0f), 255f);
        }
    }

    /// <summary>
    /// MatMulInteger with a run-time activation zero point and constant int8 weights (zero point 0),
    /// packed by <see cref="PackInt8B"/>: <c>acc = Σ (a − aZero) · b</c>, written as int32
    /// (<paramref name="outputKind"/> 3) or converted to float (2, a following Cast fused).
    /// <paramref name="scratch"/> holds n int32 (the zero-point correction). <paramref name="pairsFit"/> 0
    /// (weights that could saturate the AVX2 pair sums) keeps the exact scalar path on AVX2 machines.
    /// </summary>
    public static unsafe void MatMulInteger(ReadOnlySpan<byte> a, ReadOnlySpan<byte> packedB, ReadOnlySpan<int> colSums, ReadOnlySpan<byte> aZero,
        Span<byte> y, Span<int> scratch, int m, int n, int k, int outputKind, int pairsFit)
    {
        var zero = aZero[0];
        for (var i = 0; i < n; i++)
        {
            scratch[i] = -zero * colSums[i];
        }

        fixed (byte* pa = a, pb = packedB, py = y)
        fixed (int* pbias = scratch)
        {
            new QGemmJob(pa, k, pb, k, pbias, null, py, n, 1, m, n, outputKind, 0, 0, pairsFit != 0).Run(parallel: true);
        }
    }
}
