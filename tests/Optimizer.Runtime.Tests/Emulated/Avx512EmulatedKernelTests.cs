using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>
/// The kernel tests' own shapes and references run again under the kernel table of the AVX-512
/// CPUs issue 15 is judged on (<see cref="ForcedKernelPaths"/>), the instructions this CPU lacks
/// in software: every 512-bit branch runs on an AVX2 machine. fp32 families under Zen 4's table
/// (Zen 5's fp32 is the same); int8 families under both (Avx512BW pairs and AvxVnni quads). Rows
/// are bounded in size where the software zmm vectors would take seconds.
/// </summary>
[Collection(ForcedKernelPaths.Name)]
public sealed class Avx512EmulatedKernelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [ConditionalFact(Needs.X64DefaultIsa)]
    public void Fp32_gemm_tiles_and_their_epilogues()
    {
        using var forced = ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4));
        Assert.Equal(KernelPath.Avx512F, KernelDispatch.Current.Fp32Gemm);
        var ran = ExistingTheories.Run<Fp32GemmTileTests>(nameof(Fp32GemmTileTests.Gemm_matches_a_double_loop))
            + ExistingTheories.Run<Fp32GemmTileTests>(nameof(Fp32GemmTileTests.Conv_matches_a_double_loop_with_a_bias_per_channel))
            + ExistingTheories.Run<Fp32GemmAvx2TileTests>(nameof(Fp32GemmAvx2TileTests.Job_matches_a_double_loop))
            + ExistingTheories.Run<Fp32GemmAvx2TileTests>(nameof(Fp32GemmAvx2TileTests.Register_tiles_apply_every_epilogue))
            + ExistingTheories.Run<EpilogueActivationTests>(nameof(EpilogueActivationTests.Affine_activation_matches_a_double_reference))
            + ExistingTheories.Run<EpilogueActivationTests>(nameof(EpilogueActivationTests.Gemm_applies_hardswish_and_its_affine))
            + ExistingTheories.Run<EpilogueActivationTests>(nameof(EpilogueActivationTests.Conv_applies_hardswish_and_its_affine));
        output.WriteLine($"{ran} rows on {KernelDispatch.Current}");
    }

    /// <summary>Depthwise zmm runs, the few-channel permutes, small K, Winograd and the batched panels, the blocked stride-2 gather.</summary>
    [ConditionalFact(Needs.X64DefaultIsa)]
    public void Fp32_conv_paths()
    {
        using var forced = ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4));
        var ran = ExistingTheories.Run<ConvDepthwiseTests>(nameof(ConvDepthwiseTests.Matches_a_double_loop), row => ExistingTheories.Product(row, 4) <= 1_000_000)
            + ExistingTheories.Run<ConvFewChannelsTests>(nameof(ConvFewChannelsTests.Matches_a_double_loop), row => ExistingTheories.Product(row, 5) <= 2_000_000)
            + ExistingTheories.Run<SmallPlaneConvTests>(nameof(SmallPlaneConvTests.Same_conv_matches_a_double_loop))
            + ExistingTheories.Run<WinogradConvTests>(nameof(WinogradConvTests.Winograd_conv_matches_a_double_loop), row => ExistingTheories.Product(row, 5) <= 2_000_000)
            + ExistingTheories.Run<ConvDirect3x3KernelTests>(nameof(ConvDirect3x3KernelTests.Direct_3x3_conv_matches_a_double_loop), row => ExistingTheories.Product(row, 5) <= 5_000_000);
        output.WriteLine($"{ran} rows on {KernelDispatch.Current}");
    }

    [ConditionalTheory(Needs.X64DefaultIsa)]
    [InlineData(1, 1, 8, 8, 16, 1, 1)]    // digits conv1: k = 9, small K, eight channels a pass
    [InlineData(1, 2, 9, 40, 11, 1, 2)]   // k = 18 past small K, 8 + 3 channels
    [InlineData(1, 16, 64, 66, 9, 1, 2)]  // k·pixels past two blocks: blocked, the stride-2 even-lane gather on whole panels
    [InlineData(3, 5, 7, 9, 12, 1, 1)]    // batch 3, odd panels per image: one GEMM over the images' panels
    [InlineData(2, 16, 4, 4, 32, 1, 1)]   // digits conv2, batch 2: the batched panels
    [InlineData(1, 4, 11, 37, 7, 0, 2)]   // stride 2 without padding, a partial last panel
    public void Conv_matches_the_double_sum(int n, int c, int h, int w, int m, int pad, int stride)
    {
        using var forced = ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4));
        var (oh, ow) = ((h + 2 * pad - 3) / stride + 1, (w + 2 * pad - 3) / stride + 1);
        var random = new Random(n * 1000 + c * 10 + m);
        var (x, weights, bias) = (ConvReference.Values(random, n * c * h * w), ConvReference.Values(random, m * c * 9), ConvReference.Values(random, m));
        var y = new float[n * m * oh * ow];
        var scratch = new float[n * Kernels.ConvScratchLength(c, h, w, 3, 3, oh, ow, pad, pad, stride, stride, 1, 1, 1)];

        Kernels.Conv(x, weights, bias, y, scratch, n, c, h, w, m, 3, 3, oh, ow, pad, pad, stride, stride, 1, 1, 1, 1, 0, 0);

        foreach (var o in ConvReference.Sums(x, weights, bias, n, c, h, w, m, 3, 3, oh, ow, pad, pad, stride, stride))
        {
            var expected = Math.Max(o.Sum, 0);
            Assert.True(Math.Abs(y[o.Index] - expected) <= 1e-5 * (1 + o.Magnitude), $"{o} on {KernelDispatch.Current}: {y[o.Index]} vs {expected}");
        }
    }

    /// <summary>The 2×2/2 max pool of 4-wide rows: four row pairs per zmm pair, the rest on SSE.</summary>
    [ConditionalTheory(Needs.X64DefaultIsa)]
    [InlineData(1, 8)]
    [InlineData(3, 6)]   // 9 row pairs: two zmm steps and one left over
    [InlineData(7, 2)]
    public void Max_pool_of_4_wide_rows(int planes, int h)
    {
        const int w = 4;
        var x = ConvReference.Values(new Random(planes * 10 + h), planes * h * w);
        x[5] = float.NaN; // in y[0]'s window: vmaxps's NaN rule (the second operand) decides it
        var (y, ymm) = (new float[planes * h / 2 * 2], new float[planes * h / 2 * 2]);
        Kernels.Pool(x, ymm, 0, planes, h, w, h / 2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 1, 1, 0);
        using (ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4)))
        {
            Kernels.Pool(x, y, 0, planes, h, w, h / 2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 1, 1, 0);
        }

        for (var i = 1; i < y.Length; i++)
        {
            var (plane, oy, ox) = (i / (h / 2 * 2), i / 2 % (h / 2), i % 2);
            var at = plane * h * w + 2 * oy * w + 2 * ox;
            Assert.Equal(Math.Max(Math.Max(x[at], x[at + 1]), Math.Max(x[at + w], x[at + w + 1])), y[i]);
        }

        Assert.Equal(ymm, y); // y[0] too: the AVX2 path's bits
    }

    [ConditionalTheory(Needs.X64DefaultIsa)]
    [InlineData(3, 2)]
    [InlineData(17, 4)]
    [InlineData(40, 8)]
    [InlineData(21, 16)]
    [InlineData(5, 16)]   // fewer than 16 inputs at the factor 16
    public void Upsample_repeats_each_element(int w, int r)
    {
        using var forced = ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4));
        const int rows = 3;
        var x = ConvReference.Values(new Random(w * r), rows * w);
        var y = new float[rows * w * r * 2];

        Kernels.Upsample(x, y, rows, w, 2, r);

        for (var i = 0; i < y.Length; i++)
        {
            Assert.Equal(x[i / (w * r * 2) * w + i % (w * r) / r], y[i]);
        }
    }

    /// <summary>erf and GELU on zmm: the same fused steps in the same order as the ymm path, so the same bits.</summary>
    [ConditionalFact(Needs.X64DefaultIsa)]
    public void Erf_and_gelu_are_the_ymm_bits()
    {
        var x = Enumerable.Range(0, 203).Select(i => (i - 101) * 0.05f).Append(float.NaN).Append(9f).Append(-9f).ToArray();
        foreach (var op in new[] { 0, 1 })
        {
            var (zmm, ymm) = (new float[x.Length], new float[x.Length]);
            Kernels.Activation(x, ymm, op, x.Length, 0, 0);
            using (ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4)))
            {
                Assert.Equal(KernelPath.Vector512, KernelDispatch.Current.Elementwise);
                Kernels.Activation(x, zmm, op, x.Length, 0, 0);
            }

            Assert.Equal(ymm, zmm);
        }
    }

    [ConditionalFact(Needs.X64DefaultIsa)]
    public void Softmax_rows_on_zmm_alone_and_after_the_heads_scores()
    {
        using var forced = ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4));
        var ran = ExistingTheories.Run<SoftmaxRowsKernelTests>(nameof(SoftmaxRowsKernelTests.Rows_match_the_definition_within_a_few_ulp_masked_entries_included));
        new SoftmaxRowsKernelTests().A_NaN_score_makes_its_row_NaN_and_leaves_the_others();
        ran += ExistingTheories.Run<GemmHeadsPackingTests>(nameof(GemmHeadsPackingTests.Scores_rows_become_their_softmax_and_the_row_padding_is_untouched));
        output.WriteLine($"{ran} rows on {KernelDispatch.Current}");
    }

    /// <summary>The 64-byte lookups and the quad gather need AVX-512 VBMI, which both CPUs have.</summary>
    [ConditionalTheory(Needs.X64DefaultIsa)]
    [MemberData(nameof(ForcedKernelPaths.Avx512Cpus), MemberType = typeof(ForcedKernelPaths))]
    public void Int8_conv_and_lookups(string cpu)
    {
        using var forced = ForcedKernelPaths.As(cpu);
        Assert.True(KernelDispatch.Current.Avx512Vbmi);
        var ran = ExistingTheories.Run<QConvKernelTests>(nameof(QConvKernelTests.Matches_the_plain_loop_convolution), row => ExistingTheories.Product(row, 5) <= 3_000_000)
            + ExistingTheories.Run<QConvKernelTests>(nameof(QConvKernelTests.Pools_in_the_epilogue_with_negative_and_zero_scales))
            + ExistingTheories.Run<QConvBatchedKernelTests>(nameof(QConvBatchedKernelTests.Matches_the_plain_loop_convolution), row => ExistingTheories.Product(row, 5) <= 3_000_000)
            + ExistingTheories.Run<QConvBatchedKernelTests>(nameof(QConvBatchedKernelTests.Pooled_windows_match_the_plain_loop_convolution), row => ExistingTheories.Product(row, 5) <= 3_000_000)
            + ExistingTheories.Run<QConvDepthwiseKernelTests>(nameof(QConvDepthwiseKernelTests.Matches_the_integer_definition))
            + ExistingTheories.Run<LookupKernelTests>(nameof(LookupKernelTests.Each_byte_becomes_its_table_entry));
        output.WriteLine($"{ran} rows on {KernelDispatch.Current}");
    }

    /// <summary>The int8 GEMM (row tiles of 4, 16-column panels, a partial quad) gives the AVX2 path's bytes, itself tested against plain loops.</summary>
    [ConditionalTheory(Needs.X64DefaultIsa)]
    [MemberData(nameof(ForcedKernelPaths.Avx512Cpus), MemberType = typeof(ForcedKernelPaths))]
    public void Int8_gemm_gives_the_avx2_bytes(string cpu)
    {
        foreach (var (m, n, k) in new[] { (1, 10, 64), (7, 33, 21), (13, 16, 5), (4, 47, 130) })
        {
            var random = new Random(m * 100 + n + k);
            var a = Enumerable.Range(0, m * k).Select(_ => (byte)random.Next(256)).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (sbyte)random.Next(-64, 64)).ToArray();
            var bias = Enumerable.Range(0, n).Select(_ => random.Next(-30000, 30000)).ToArray();
            var scale = Enumerable.Range(0, n).Select(_ => 1e-4f * (1 + random.Next(30))).ToArray();
            var packed = new byte[Kernels.PackedInt8BLength(k, n)];
            Kernels.PackInt8B(b, packed, k, n, transB: 0);
            foreach (var outputKind in new[] { 0, 1, 2 })
            {
                var (expected, actual) = (new byte[m * n * 4], new byte[m * n * 4]);
                Kernels.QGemm(a, packed, bias, scale, expected, m, n, k, k, outputKind, 5, 1);
                using (ForcedKernelPaths.As(cpu))
                {
                    Kernels.QGemm(a, packed, bias, scale, actual, m, n, k, k, outputKind, 5, 1);
                }

                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{m}×{n}×{k}, output kind {outputKind} on {cpu}");
            }
        }
    }
}
