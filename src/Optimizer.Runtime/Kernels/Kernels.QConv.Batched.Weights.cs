namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Whether a <see cref="QConv"/> of this shape is one the batched path takes (<see cref="QConvBatched"/>;
    /// how many images a call has is decided at run time): at least 4 input channels (the tap-major
    /// quads hold 4 channels), an output plane of at most <see cref="QConvBatchMaxPixels"/> pixels and byte outputs.
    /// The compiler emits <see cref="PackQConvBatchedWeights"/> for these convolutions only.
    /// </summary>
    public static bool QConvBatchable(int c, int oh, int ow, int outputKind) =>
        c >= 4 && oh * ow <= QConvBatchMaxPixels && outputKind is 0 or 1;

    /// <summary>Bytes of a convolution's <see cref="PackQConvBatchedWeights"/>: <see cref="BatchedWeightsLayout"/>.</summary>
    public static int QConvBatchedWeightsLength(int c, int m, int kh, int kw, int oh, int ow) =>
        new BatchedWeightsLayout(c, m, kh * kw, oh * ow).Length;

    /// <summary>
    /// What <see cref="QConvBatched"/> reads for a convolution, made once from its constants (the
    /// compiler's program weight beside the per-image <paramref name="packedW"/>, <see cref="PackInt8B"/>):
    /// the weights tap-major (<see cref="RepackTapMajor"/>), each output pixel's bias with the padding taps'
    /// zero-point sums folded in and its taps inside the image (<see cref="PixelBiases"/>), and the scales
    /// padded to whole panels; laid out as <see cref="BatchedWeightsLayout"/>. Returns false where a
    /// tap-major pair could saturate <c>vpmaddubsw</c> (|b₀| + |b₁| > 128; the per-image path's pairs are the
    /// weights' own): such a convolution gets no batched weights and runs per image.
    /// </summary>
    public static unsafe bool PackQConvBatchedWeights(ReadOnlySpan<byte> packedW, ReadOnlySpan<int> bias, ReadOnlySpan<float> scale, Span<byte> batched,
        int c, int h, int w, int m, int kh, int kw, int oh, int ow, int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int xZero)
    {
        var s = new ConvShape(c, h, w, m, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, 1);
        var layout = new BatchedWeightsLayout(c, m, s.KH * s.KW, s.P);
        if (packedW.Length != PackedInt8BLength(s.K, m) || bias.Length < m || scale.Length < m || batched.Length != layout.Length)
        {
            throw new ArgumentException("The packed weights, bias, scale or destination do not match the convolution's shape.");
        }

        batched.Clear();
        fixed (byte* packed = packedW, destination = batched)
        fixed (int* pbias = bias)
        {
            if (!RepackTapMajor(s, packed, destination, layout.Cp))
            {
                return false;
            }

            PixelBiases(s, destination, layout.Cp, pbias, xZero, (int*)(destination + layout.PixelBiasOffset), (int*)(destination + layout.TapListOffset));
            scale[..m].CopyTo(new Span<float>(destination + layout.ScaleOffset, layout.Mp));
        }

        return true;
    }

    /// <summary>
    /// The sections of <see cref="PackQConvBatchedWeights"/>, each at a multiple of 64 bytes but the last:
    /// tap-major weights (panels × taps × cp/4 quads of 64 bytes), per-pixel biases (int32 <c>[P, mp]</c>),
    /// scales (float <c>[mp]</c>), per-pixel tap lists (int32 <c>[P, 2 · taps + 1]</c>).
    /// </summary>
    internal readonly record struct BatchedWeightsLayout(int C, int M, int Taps, int P)
    {
        public int Cp => (C + 3) / 4 * 4;

        public int Panels => (M + PanelWidth - 1) / PanelWidth;

        public int Mp => Panels * PanelWidth;

        /// <summary>A panel's quads: every tap's cp/4.</summary>
        public int Quads => Taps * Cp / 4;

        public int TapStride => 2 * Taps + 1;

        public int PixelBiasOffset => Panels * Quads * 64;

        public int ScaleOffset => PixelBiasOffset + P * Mp * sizeof(int);

        public int TapListOffset => ScaleOffset + Mp * sizeof(float);

        public int Length => TapListOffset + P * TapStride * sizeof(int);
    }

    /// <summary>
    /// The packed weights (<see cref="PackInt8B"/>, k = channel-major <c>(ci, ky, kx)</c>) repacked
    /// with k tap-major, <c>(ky, kx, ci)</c>, channels padded to <paramref name="cp"/> with zero weights.
    /// False where a repacked pair has |b₀| + |b₁| > 128 (<see cref="Int8PairsFit"/>).
    /// </summary>
    private static unsafe bool RepackTapMajor(in ConvShape s, byte* packed, byte* repacked, int cp)
    {
        var taps = s.KH * s.KW;
        var quads = (s.K + 3) / 4;
        var newQuads = taps * cp / 4;
        var panels = (s.M + PanelWidth - 1) / PanelWidth;
        new Span<byte>(repacked, panels * newQuads * 64).Clear();
        for (var panel = 0; panel < panels; panel++)
        {
            var src = packed + (long)panel * quads * 64;
            var dst = repacked + (long)panel * newQuads * 64;
            for (var t = 0; t < taps; t++)
            {
                for (var ci = 0; ci < s.C; ci++)
                {
                    var (k, k2) = (ci * taps + t, t * cp + ci);
                    var from = src + k / 4 * 64 + k % 4;
                    var to = dst + k2 / 4 * 64 + k2 % 4;
                    for (var col = 0; col < PanelWidth; col++)
                    {
                        to[col * 4] = from[col * 4];
                    }
                }
            }
        }

        var bytes = (sbyte*)repacked;
        for (long i = 0, end = (long)panels * newQuads * 64; i < end; i += 2)
        {
            if (Math.Abs((int)bytes[i]) + Math.Abs((int)bytes[i + 1]) > 128)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Per output pixel: the bias with the skipped padding taps' sums added (zero point × their
    /// weights; the step's bias already holds −zero point × every weight), <c>[P, mp]</c>, and the
    /// taps inside the image: a count, then per tap its channel-last image offset and its repacked weights' offset in a panel (rows of <c>2 · taps + 1</c>).
    /// </summary>
    private static unsafe void PixelBiases(in ConvShape s, byte* repacked, int cp, int* bias, int xZero, int* pixelBias, int* tapList)
    {
        var taps = s.KH * s.KW;
        var quadsPerTap = cp / 4;
        var panels = (s.M + PanelWidth - 1) / PanelWidth;
        var mp = panels * PanelWidth;
        // Each tap's weights summed over the input channels, per output channel.
        var tapSums = new int[taps * mp];
        for (var panel = 0; panel < panels; panel++)
        {
            for (var t = 0; t < taps; t++)
            {
                var quad = repacked + ((long)panel * taps * quadsPerTap + t * quadsPerTap) * 64;
                for (var g = 0; g < quadsPerTap; g++, quad += 64)
                {
                    for (var col = 0; col < PanelWidth; col++)
                    {
                        var w = (sbyte*)quad + col * 4;
                        tapSums[t * mp + panel * PanelWidth + col] += w[0] + w[1] + w[2] + w[3];
                    }
                }
            }
        }

        for (var p = 0; p < s.P; p++)
        {
            var (oy, ox) = (p / s.OW, p % s.OW);
            var row = pixelBias + (long)p * mp;
            for (var col = 0; col < mp; col++)
            {
                row[col] = col < s.M ? bias[col] : 0;
            }

            var list = tapList + (long)p * (2 * taps + 1);
            var count = 0;
            for (var t = 0; t < taps; t++)
            {
                var iy = oy * s.StrideH - s.PadTop + t / s.KW * s.DilH;
                var ix = ox * s.StrideW - s.PadLeft + t % s.KW * s.DilW;
                if ((uint)iy < (uint)s.H && (uint)ix < (uint)s.W)
                {
                    list[1 + 2 * count] = (iy * s.W + ix) * cp;
                    list[2 + 2 * count++] = t * quadsPerTap * 64;
                    continue;
                }

                for (var col = 0; col < mp; col++)
                {
                    row[col] += xZero * tapSums[t * mp + col];
                }
            }

            list[0] = count;
        }
    }
}
