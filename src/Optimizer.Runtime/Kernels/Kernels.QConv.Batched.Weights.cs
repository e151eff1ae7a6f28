namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Whether a <see cref="QConv"/> of this shape is one the batched path takes (<see cref="QConvBatched"/>;
    /// how many images a call has is decided at run time): at least 4 input channels (the tap-major
    /// quads hold 4 channels), an output plane of at most <see cref="QConvBatchMaxPixels"/> pixels and byte outputs.
    /// The compiler emits <see cref="PackInt8TapMajor"/> and <see cref="PackQConvPixelTables"/> for these convolutions only.
    /// </summary>
    public static bool QConvBatchable(int c, int oh, int ow, int outputKind) =>
        c >= 4 && oh * ow <= QConvBatchMaxPixels && outputKind is 0 or 1;

    /// <summary>Bytes of <see cref="PackInt8TapMajor"/>'s weights: ⌈m/16⌉ panels of kh·kw·⌈c/4⌉ quads of 64 bytes.</summary>
    public static int PackedInt8TapMajorLength(int c, int m, int kh, int kw) => new BatchedTablesLayout(c, m, kh * kw, 0).TapMajorLength;

    /// <summary>
    /// The int8 weights of a convolution (ONNX <c>[m, c, kh, kw]</c>) packed as <see cref="PackInt8B"/> packs <c>[m, c·kh·kw]</c>
    /// with transB, but k tap-major, <c>(ky, kx, ci)</c>, each tap's channels padded to a whole quad with zero weights: the
    /// weights of <see cref="QConvBatched"/>, whose quads are 4 channels of one tap. The compiler emits them beside the
    /// per-image packed weights (a program weight the build reads from the model: <see cref="WeightTransform.PackInt8TapMajor"/>).
    /// Returns false where a pair has |b₀| + |b₁| > 128 (it could saturate <c>vpmaddubsw</c>; the per-image path's pairs
    /// are the weights' own, <see cref="Int8PairsFit"/>): the compiler then emits none and the convolution runs per image.
    /// </summary>
    public static bool PackInt8TapMajor(ReadOnlySpan<sbyte> weights, Span<byte> tapMajor, int c, int m, int kh, int kw)
    {
        var layout = new BatchedTablesLayout(c, m, kh * kw, 0);
        var (taps, cp, quads) = (layout.Taps, layout.Cp, layout.Quads);
        if (weights.Length < m * c * taps || tapMajor.Length < layout.TapMajorLength)
        {
            throw new ArgumentException("The weights or the destination do not match the convolution's shape.");
        }

        tapMajor = tapMajor[..layout.TapMajorLength];
        tapMajor.Clear();
        for (var o = 0; o < m; o++)
        {
            var column = o / PanelWidth * quads * 64 + o % PanelWidth * 4;
            for (var ci = 0; ci < c; ci++)
            {
                for (var t = 0; t < taps; t++)
                {
                    var k = t * cp + ci;
                    tapMajor[column + k / 4 * 64 + k % 4] = (byte)weights[(o * c + ci) * taps + t];
                }
            }
        }

        var bytes = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(tapMajor);
        for (var i = 0; i < bytes.Length; i += 2)
        {
            if (Math.Abs((int)bytes[i]) + Math.Abs((int)bytes[i + 1]) > 128)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Bytes of a convolution's <see cref="PackQConvPixelTables"/>: <see cref="BatchedTablesLayout"/>.</summary>
    public static int QConvPixelTablesLength(int c, int m, int kh, int kw, int oh, int ow) =>
        new BatchedTablesLayout(c, m, kh * kw, oh * ow).Length;

    /// <summary>
    /// What <see cref="QConvBatched"/> reads besides the weights, made once by the compiler from the convolution's constants and
    /// its tap-major weights (<see cref="PackInt8TapMajor"/>): each output pixel's bias with the padding taps' zero-point sums
    /// folded in and its taps inside the image (<see cref="PixelBiases"/>), and the scales padded to whole panels; laid out as
    /// <see cref="BatchedTablesLayout"/>.
    /// </summary>
    public static unsafe void PackQConvPixelTables(ReadOnlySpan<byte> tapMajor, ReadOnlySpan<int> bias, ReadOnlySpan<float> scale, Span<byte> tables,
        int c, int h, int w, int m, int kh, int kw, int oh, int ow, int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW, int xZero)
    {
        var s = new ConvShape(c, h, w, m, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, dilH, dilW, 1);
        var layout = new BatchedTablesLayout(c, m, s.KH * s.KW, s.P);
        if (tapMajor.Length != layout.TapMajorLength || bias.Length < m || scale.Length < m || tables.Length != layout.Length)
        {
            throw new ArgumentException("The tap-major weights, bias, scale or destination do not match the convolution's shape.");
        }

        tables.Clear();
        fixed (byte* weights = tapMajor, destination = tables)
        fixed (int* pbias = bias)
        {
            PixelBiases(s, weights, layout.Cp, pbias, xZero, (int*)destination, (int*)(destination + layout.TapListOffset));
            scale[..m].CopyTo(new Span<float>(destination + layout.ScaleOffset, layout.Mp));
        }
    }

    /// <summary>
    /// The tap-major weights' size and the sections of <see cref="PackQConvPixelTables"/>, each at a multiple of 64 bytes but
    /// the last: per-pixel biases (int32 <c>[P, mp]</c>), scales (float <c>[mp]</c>), per-pixel tap lists (int32 <c>[P, 2 · taps + 1]</c>).
    /// </summary>
    internal readonly record struct BatchedTablesLayout(int C, int M, int Taps, int P)
    {
        public int Cp => (C + 3) / 4 * 4;

        public int Panels => (M + PanelWidth - 1) / PanelWidth;

        public int Mp => Panels * PanelWidth;

        /// <summary>A panel's quads: every tap's cp/4.</summary>
        public int Quads => Taps * Cp / 4;

        public int TapMajorLength => Panels * Quads * 64;

        public int TapStride => 2 * Taps + 1;

        public int ScaleOffset => P * Mp * sizeof(int);

        public int TapListOffset => ScaleOffset + Mp * sizeof(float);

        public int Length => TapListOffset + P * TapStride * sizeof(int);
    }

    /// <summary>
    /// Per output pixel: the bias with the skipped padding taps' sums added (zero point × their
    /// weights; the step's bias already holds −zero point × every weight), <c>[P, mp]</c>, and the
    /// taps inside the image: a count, then per tap its channel-last image offset and its tap-major weights' offset in a panel (rows of <c>2 · taps + 1</c>).
    /// </summary>
    private static unsafe void PixelBiases(in ConvShape s, byte* tapMajor, int cp, int* bias, int xZero, int* pixelBias, int* tapList)
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
                var quad = tapMajor + ((long)panel * taps * quadsPerTap + t * quadsPerTap) * 64;
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
