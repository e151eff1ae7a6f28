using BenchmarkDotNet.Attributes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// The fp32 convolution kernel alone (im2col or small-k kernel, GEMM tiles, epilogue) on the
/// real models' conv shapes, one thread, on this CPU's default path. GFLOP/s = the FLOPs the
/// setup prints (2 · n · m · c · kh · kw · oh · ow) / Mean: the figure to hold against the fp32
/// GEMM's (<see cref="Fp32GemmPathBenchmarks"/>). Run with <c>--filter '*ConvKernel*' --no-info</c>.
/// </summary>
public class ConvKernelBenchmarks
{
    /// <summary>name: n, c, h, w, m, kh, kw, padTop, padLeft (unit strides, no dilation, one group).</summary>
    private static readonly Dictionary<string, int[]> Shapes = new()
    {
        ["digits conv1 b64"] = [64, 1, 8, 8, 16, 3, 3, 1, 1],
        ["digits conv2 b64"] = [64, 16, 4, 4, 32, 3, 3, 1, 1],
        ["wake-word conv1 b1"] = [1, 1, 76, 32, 24, 3, 3, 0, 1],
        ["wake-word 48ch 3x1 b1"] = [1, 48, 36, 16, 48, 3, 1, 0, 0],
        ["wake-word 96ch 1x3 b1"] = [1, 96, 14, 4, 96, 1, 3, 0, 1],
    };

    private float[] _x = [], _w = [], _bias = [], _y = [], _scratch = [];
    private int[] _s = [];
    private int _oh, _ow;

    [ParamsSource(nameof(Names))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Names => Shapes.Keys;

    [GlobalSetup]
    public void Setup()
    {
        _s = Shapes[Shape];
        var (n, c, h, w, m, kh, kw, padTop, padLeft) = (_s[0], _s[1], _s[2], _s[3], _s[4], _s[5], _s[6], _s[7], _s[8]);
        _oh = h + 2 * padTop - kh + 1;
        _ow = w + 2 * padLeft - kw + 1;
        _x = ModelBuilders.RandomInput(n * c * h * w, seed: 3);
        _w = ModelBuilders.RandomInput(m * c * kh * kw, seed: 4);
        _bias = ModelBuilders.RandomInput(m, seed: 5);
        _y = new float[n * m * _oh * _ow];
        _scratch = new float[n * Kernels.ConvScratchLength(c, kh, kw, _oh, _ow, 1)];
        KernelDispatch.MaxThreads = 1;
        Console.WriteLine($"{Shape}: {2.0 * n * m * c * kh * kw * _oh * _ow:N0} FLOPs per call; kernel paths: {KernelDispatch.Current}");
    }

    [Benchmark]
    public void Conv() => Kernels.Conv(_x, _w, _bias, _y, _scratch, _s[0], _s[1], _s[2], _s[3], _s[4], _s[5], _s[6], _oh, _ow, _s[7], _s[8],
        1, 1, 1, 1, 1, 1, 0, 0);
}
