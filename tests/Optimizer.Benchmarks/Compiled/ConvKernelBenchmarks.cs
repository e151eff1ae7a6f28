using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// The fp32 convolution kernel alone (im2col or small-k or depthwise kernel, GEMM tiles,
/// epilogue) on the real models' conv shapes, one thread, on this CPU's default path, next to
/// the plain GEMM of the same FLOPs (m = output channels, k = c/group · kh · kw, n = n · oh · ow,
/// B packed once) in the same run: the <c>GFLOP/s</c> column gives each (2 · m · k · n / Mean),
/// <c>Conv % of GEMM</c> the conv's share of its GEMM's rate (the target is ≥ 60 % on the real
/// stacks). Run with <c>--filter '*ConvKernel*' --no-info</c>; <c>DOTNET_EnableAVX512=0</c> for the AVX2 path.
/// </summary>
[Config(typeof(GflopsConfig))]
public class ConvKernelBenchmarks
{
    private float[] _x = [], _w = [], _bias = [], _y = [], _scratch = [], _packed = [], _c = [];
    private ConvBenchmarkShape _s = null!;

    [ParamsSource(nameof(Names))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Names => ConvBenchmarkShape.All.Keys;

    [GlobalSetup]
    public void Setup()
    {
        _s = ConvBenchmarkShape.All[Shape];
        _x = ModelBuilders.RandomInput(_s.N * _s.C * _s.H * _s.W, seed: 3);
        _w = ModelBuilders.RandomInput(_s.M * _s.K, seed: 4);
        _bias = ModelBuilders.RandomInput(_s.M, seed: 5);
        _y = new float[_s.N * _s.M * _s.OH * _s.OW];
        _scratch = new float[_s.N * Kernels.ConvScratchLength(_s.C, _s.H, _s.W, _s.KH, _s.KW, _s.OH, _s.OW, _s.PadTop, _s.PadLeft, _s.StrideH, _s.StrideW, 1, 1, _s.Group)];
        var columns = _s.N * _s.OH * _s.OW;
        _packed = new float[Kernels.PackedBLength(_s.K, columns)];
        Kernels.PackB(ModelBuilders.RandomInput(_s.K * columns, seed: 6), _packed, 1, _s.K, columns, 0, 0);
        _c = new float[_s.M * columns];
        KernelDispatch.MaxThreads = 1;
        Console.WriteLine($"{Shape}: {_s.Flops:N0} FLOPs per call; kernel paths: {KernelDispatch.Current}");
    }

    [Benchmark]
    public void Conv() => Kernels.Conv(_x, _w, _bias, _y, _scratch, _s.N, _s.C, _s.H, _s.W, _s.M, _s.KH, _s.KW, _s.OH, _s.OW, _s.PadTop, _s.PadLeft,
        _s.StrideH, _s.StrideW, 1, 1, _s.Group, 1, 0f, 0f);

    /// <summary>The same FLOPs as one GEMM with bias and Relu: the rate the conv is held against.</summary>
    [Benchmark]
    public void Gemm() => Kernels.Gemm(_w, _packed, [], _c, 1, _s.M, _s.N * _s.OH * _s.OW, _s.K, 0, 0, 0, 1, 1f, 0f, 0f);

    private sealed class GflopsConfig : ManualConfig
    {
        public GflopsConfig()
        {
            AddColumn(new ConvGflopsColumn(ofGemm: false), new ConvGflopsColumn(ofGemm: true));
        }
    }
}
