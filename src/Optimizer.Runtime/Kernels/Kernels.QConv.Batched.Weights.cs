namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Batched convolutions whose repacked weights a thread keeps (a model's few small-plane convolutions).
    private const int BatchedWeightsKept = 4;

    [ThreadStatic]
    private static BatchedWeights?[]? _batchedWeights;

    [ThreadStatic]
    private static int _batchedWeightsNext;

    /// <summary>
    /// What <see cref="QConvBatched"/> derives from a convolution's constants: the tap-major
    /// weights (<see cref="RepackTapMajor"/>), each output pixel's bias and taps (<see cref="PixelBiases"/>)
    /// and the scales padded to whole panels. Kept per thread with copies of the constants they
    /// came from, and reused only where those compare equal byte for byte (a few µs of repacking
    /// per call against a compare of the same bytes).
    /// </summary>
    private sealed unsafe class BatchedWeights
    {
        public ConvShape Shape;
        public int XZero;
        public byte[] Packed = [];
        public int[] Bias = [];
        public float[] Scale = [];
        public byte[] Repacked = [];
        public int[] PixelBias = [];
        public int[] TapList = [];
        public float[] PaddedScale = [];
        public bool PairsFit;

        public bool Matches(in ConvShape s, byte* packed, int* bias, float* scale, int xZero) =>
            Shape == s && XZero == xZero
            && new ReadOnlySpan<byte>(packed, Packed.Length).SequenceEqual(Packed)
            && new ReadOnlySpan<int>(bias, s.M).SequenceEqual(Bias)
            && new ReadOnlySpan<float>(scale, s.M).SequenceEqual(Scale);

        public static BatchedWeights Build(in ConvShape s, byte* packed, int* bias, float* scale, int xZero)
        {
            var cp = (s.C + 3) / 4 * 4;
            var taps = s.KH * s.KW;
            var panels = (s.M + PanelWidth - 1) / PanelWidth;
            var mp = panels * PanelWidth;
            var built = new BatchedWeights
            {
                Shape = s,
                XZero = xZero,
                Packed = new ReadOnlySpan<byte>(packed, PackedInt8BLength(s.K, s.M)).ToArray(),
                Bias = new ReadOnlySpan<int>(bias, s.M).ToArray(),
                Scale = new ReadOnlySpan<float>(scale, s.M).ToArray(),
                Repacked = GC.AllocateArray<byte>(panels * taps * cp / 4 * 64, pinned: true),
                PixelBias = GC.AllocateArray<int>(s.P * mp, pinned: true),
                TapList = GC.AllocateArray<int>(s.P * (2 * taps + 1), pinned: true),
                PaddedScale = GC.AllocateArray<float>(mp, pinned: true),
            };
            built.Scale.CopyTo(built.PaddedScale, 0);
            fixed (byte* repacked = built.Repacked)
            fixed (int* pixelBias = built.PixelBias, tapList = built.TapList)
            {
                built.PairsFit = RepackTapMajor(s, packed, repacked, cp);
                PixelBiases(s, repacked, cp, bias, xZero, pixelBias, tapList);
            }

            return built;
        }
    }

    /// <summary>This thread's <see cref="BatchedWeights"/> for these constants, built where none matches (replacing the oldest).</summary>
    private static unsafe BatchedWeights BatchedWeightsFor(in ConvShape s, byte* packed, int* bias, float* scale, int xZero)
    {
        var kept = _batchedWeights ??= new BatchedWeights?[BatchedWeightsKept];
        foreach (var entry in kept)
        {
            if (entry is not null && entry.Matches(s, packed, bias, scale, xZero))
            {
                return entry;
            }
        }

        var built = BatchedWeights.Build(s, packed, bias, scale, xZero);
        kept[_batchedWeightsNext] = built;
        _batchedWeightsNext = (_batchedWeightsNext + 1) % BatchedWeightsKept;
        return built;
    }
}
