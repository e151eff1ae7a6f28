using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The fp32 convolution against a naive loop on every im2col path: unit strides (shifted planes),
/// unit horizontal stride only (padded rows), and the general one (other strides, or a padded
/// plane too large for the stack), with padding, dilation, groups and widths that split panels;
/// the small-k kernel (k ≤ 16) and, on AVX-512, batches whose images are packed back to back;
/// the register-permute im2col of small planes. Run it with <c>DOTNET_EnableAVX512=0</c> as well for the AVX2 path.
/// </summary>
public sealed class ConvKernelTests
{
    [Theory]
    [InlineData(1, 1, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)]   // digits conv1: unit strides, one vector per line
    [InlineData(2, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1)]  // digits conv2, batch 2
    [InlineData(1, 3, 7, 5, 5, 3, 2, 2, 0, 1, 1, 1, 1, 1)]    // ragged widths, asymmetric kernel, top pad only
    [InlineData(1, 2, 9, 9, 4, 3, 3, 2, 2, 1, 1, 2, 2, 1)]    // dilation 2
    [InlineData(1, 3, 9, 11, 6, 3, 3, 1, 1, 2, 1, 1, 1, 1)]   // vertical stride 2: padded rows, lines split panels
    [InlineData(1, 4, 10, 10, 4, 3, 3, 1, 1, 2, 2, 1, 1, 2)]  // strides 2, groups 2: general path
    [InlineData(1, 1, 80, 80, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1)]  // planes too large for the stack: general path
    [InlineData(3, 1, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1)]    // small k: channels 4 + 2 (AVX2) or one pass of 6 (AVX-512), a partial last panel, batch 3
    [InlineData(1, 2, 9, 11, 10, 2, 3, 0, 1, 2, 1, 1, 2, 2)]  // small k per group (2 × 3 taps), stride 2, dilation 2
    [InlineData(2, 1, 76, 32, 24, 3, 3, 0, 1, 1, 1, 1, 1, 1)] // the wake-word embedding's first conv: small k, padded rows
    [InlineData(5, 3, 6, 8, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1)]   // 3 panels per image, batch 5: images packed back to back (AVX-512), 8 + 4 rows
    [InlineData(64, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1)] // digits conv2 at batch 64: one panel per image, pairs across images
    // Register-permute im2col (planes within one window: 32 floats on AVX-512, 16 per 8 pixels on AVX2); the digits rows above run it too.
    [InlineData(1, 1, 5, 5, 4, 3, 3, 1, 1, 2, 2, 1, 1, 1)]    // strides 2, a 25-float plane copied into a padded window, partial panel
    [InlineData(1, 2, 4, 8, 5, 3, 3, 1, 1, 2, 2, 1, 1, 1)]    // strides 2, a 32-float plane loaded in place (AVX-512)
    [InlineData(5, 2, 4, 4, 6, 3, 3, 2, 2, 1, 1, 2, 2, 1)]    // dilation 2, padding 2, batch 5 (both ISA paths)
    [InlineData(64, 4, 4, 4, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2)]   // groups 2, batch 64 (both ISA paths)
    [InlineData(5, 3, 3, 5, 7, 2, 3, 0, 1, 1, 1, 1, 1, 1)]    // odd sizes: 3×5 plane, 2×3 kernel, k 18, 7 channels, copied on both paths
    // Too large to pack whole: block by block (Kernels.Conv.Blocked.cs).
    [InlineData(1, 24, 40, 40, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1)]  // PP-OCRv4 det's 3×3 head conv (fewer channels): padded copy, blocks split over threads
    [InlineData(1, 37, 29, 41, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1)]  // odd sizes: lines cross panels, a partial last panel, 8 + 2 rows
    [InlineData(2, 37, 29, 41, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1)]  // the same, batch 2 (images in parallel, each block by block)
    [InlineData(1, 8, 97, 83, 16, 3, 3, 1, 1, 2, 2, 1, 1, 1)]   // strides 2 with padding: the even-lane gather
    [InlineData(1, 3, 321, 319, 16, 3, 3, 1, 1, 2, 2, 1, 1, 1)] // det's first conv (3 channels, stride 2), odd plane
    [InlineData(1, 16, 50, 50, 12, 3, 3, 2, 2, 1, 1, 2, 2, 2)]  // dilation 2, padding 2, groups 2
    [InlineData(1, 72, 40, 61, 24, 1, 1, 0, 0, 1, 1, 1, 1, 1)]  // 1×1: the input read in place, 61-wide lines
    [InlineData(1, 64, 129, 129, 8, 1, 1, 0, 0, 2, 2, 1, 1, 1)] // 1×1 stride 2
    [InlineData(1, 1, 200, 190, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1)]  // small k (9) block by block
    [InlineData(1, 20, 30, 60, 16, 3, 5, 0, 2, 1, 3, 1, 1, 1)]  // asymmetric kernel, horizontal stride 3: the scalar gather
    public void Fp32_conv_matches_a_naive_loop_with_bias_and_relu(int n, int c, int h, int w, int m, int kh, int kw,
        int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int group) =>
        MatchesNaiveLoop(n, c, h, w, m, kh, kw, padTop, padLeft, strideH, strideW, dilH, dilW, group, act: 1, withBias: true);

    /// <summary>
    /// Depthwise convolutions (one input channel per group), which run on the direct kernel over
    /// zero-padded phase planes: unit strides, the OCR models' 5×5 with vertical stride 2, both
    /// strides 2 with a channel multiplier, dilation, a horizontal stride of 3 with rows several
    /// vectors wide, batches 1, 5 and 64 (images in parallel), and a 1×1 stride-2 one whose planes
    /// outgrow the im2col scratch (the GEMM path).
    /// </summary>
    [Theory]
    [InlineData(1, 8, 9, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 1)]
    [InlineData(5, 6, 12, 20, 6, 5, 5, 2, 2, 2, 1, 1, 1, 6, 1)]
    [InlineData(2, 4, 7, 9, 8, 3, 3, 1, 1, 2, 2, 1, 1, 4, 1)]
    [InlineData(1, 3, 10, 13, 3, 3, 3, 2, 2, 1, 1, 2, 2, 3, 1)]
    [InlineData(64, 4, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 1)]
    [InlineData(1, 5, 6, 70, 5, 3, 5, 0, 2, 1, 3, 1, 1, 5, 1)]
    [InlineData(1, 2, 3, 3, 2, 1, 1, 0, 0, 2, 2, 1, 1, 2, 1)]
    [InlineData(2, 6, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6, 2)]    // clamp
    [InlineData(1, 6, 9, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 6, 0)]   // no activation, no bias, multiplier 2
    public void Depthwise_conv_matches_a_naive_loop(int n, int c, int h, int w, int m, int kh, int kw,
        int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int group, int act) =>
        MatchesNaiveLoop(n, c, h, w, m, kh, kw, padTop, padLeft, strideH, strideW, dilH, dilW, group, act, withBias: act != 0);

    /// <summary>The other epilogues (none without bias, clamp) on the GEMM tiles and on the small-k kernel (k ≤ 16).</summary>
    [Theory]
    [InlineData(2, 1, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0)]   // small k, no activation, no bias
    [InlineData(2, 1, 8, 8, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2)]    // small k, clamp, channels 4 + 3 (AVX2) or one pass of 7 (AVX-512)
    [InlineData(1, 3, 6, 10, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2)]   // GEMM tiles (k 27), clamp
    [InlineData(1, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0)]  // GEMM tiles (k 144), no activation, no bias
    [InlineData(1, 24, 40, 37, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2)] // block by block from the padded copy (13 rows: 6 + 6 + 1 on AVX2), a 37-wide line, clamp
    [InlineData(1, 20, 30, 33, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0)]  // the same, no activation, no bias (8 rows)
    [InlineData(1, 37, 29, 41, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2)] // block by block, clamp
    [InlineData(1, 1, 200, 190, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0)] // block by block on the small-k kernel, no activation, no bias
    public void Fp32_conv_matches_a_naive_loop_with_other_epilogues(int n, int c, int h, int w, int m, int kh, int kw,
        int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int group, int act) =>
        MatchesNaiveLoop(n, c, h, w, m, kh, kw, padTop, padLeft, strideH, strideW, dilH, dilW, group, act, withBias: act != 0);

    private static void MatchesNaiveLoop(int n, int c, int h, int w, int m, int kh, int kw,
        int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int group, int act, bool withBias)
    {
        const float clampMin = -0.25f, clampMax = 0.5f;
        var oh = (h + 2 * padTop - dilH * (kh - 1) - 1) / strideH + 1;
        var ow = (w + 2 * padLeft - dilW * (kw - 1) - 1) / strideW + 1;
        var random = new Random(c * 1000 + h * 10 + m);
        var x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var cg = c / group;
        var weights = Enumerable.Range(0, m * cg * kh * kw).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var bias = withBias ? Enumerable.Range(0, m).Select(_ => (float)random.NextDouble() - 0.5f).ToArray() : [];
        var y = new float[n * m * oh * ow];
        var scratch = new float[n * Optimizer.Runtime.Compiled.Kernels.ConvScratchLength(c, h, w, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, group)];
        Optimizer.Runtime.Compiled.Kernels.Conv(x, weights, bias, y, scratch, n, c, h, w, m, kh, kw, oh, ow, padTop, padLeft,
            strideH, strideW, dilH, dilW, group, act, clampMin, clampMax);
        for (var i = 0; i < n; i++)
        {
            for (var oc = 0; oc < m; oc++)
            {
                var g = oc / (m / group);
                for (var oy = 0; oy < oh; oy++)
                {
                    for (var ox = 0; ox < ow; ox++)
                    {
                        double sum = withBias ? bias[oc] : 0;
                        for (var ci = 0; ci < cg; ci++)
                        {
                            for (var ky = 0; ky < kh; ky++)
                            {
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var iy = oy * strideH - padTop + ky * dilH;
                                    var ix = ox * strideW - padLeft + kx * dilW;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        sum += x[((i * c + g * cg + ci) * h + iy) * w + ix] * weights[((oc * cg + ci) * kh + ky) * kw + kx];
                                    }
                                }
                            }
                        }

                        var expected = act switch { 1 => Math.Max(0, sum), 2 => Math.Clamp(sum, clampMin, clampMax), _ => sum };
                        var actual = y[((i * m + oc) * oh + oy) * ow + ox];
                        Assert.True(Math.Abs(actual - expected) <= 1e-4 + 1e-4 * Math.Abs(expected), $"image {i}, channel {oc}, ({oy},{ox}): {actual} vs {expected}");
                    }
                }
            }
        }
    }
}
