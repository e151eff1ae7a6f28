using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using Optimizer.Compiler.Tests.Support;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Isa;

/// <summary>
/// Every kernel path this machine can execute, forced with the runtime's own switches in child
/// processes, gives the same outputs as the default path: fp32 within rtol 1e-4 + atol 1e-5
/// (FMA and separate multiply-add round differently); the static INT8 model (its Conv/Gemm run
/// as u8×s8→s32 kernels) bit for bit. The child reports the path it was forced onto.
/// The expected selection is derived from this machine's own (the tests run on CPUs with and
/// without AVX-512 and AVX-VNNI): switching a feature off moves only the kernels that used it.
/// </summary>
public sealed class IsaPathTests(ITestOutputHelper output)
{
    /// <summary>The selection a child with the switch should report, from this process's own.</summary>
    private static string Expected(string expectedPaths)
    {
        var current = KernelDispatch.Current;
        return expectedPaths switch
        {
            "default" => current.ToString(),
            "default without AVX-512" => (current with
            {
                Fp32Gemm = current.Fp32Gemm == KernelPath.Avx512F ? KernelPath.Avx2Fma : current.Fp32Gemm,
                Int8Gemm = current.Int8Gemm == KernelPath.Avx512BW ? KernelPath.Avx2 : current.Int8Gemm,
                Elementwise = current.Elementwise == KernelPath.Vector512 ? KernelPath.Vector256 : current.Elementwise,
            }).ToString(),
            // Without AVX-VNNI the int8 kernels pair products through int16: on zmm where AVX-512BW is there, else on ymm.
            "default without AVX-VNNI" => (current with { Int8Gemm = current.Int8Gemm == KernelPath.AvxVnni ? Avx512BW.IsSupported ? KernelPath.Avx512BW : KernelPath.Avx2 : current.Int8Gemm }).ToString(),
            "default without AVX-VNNI or AVX-512" => (current with
            {
                Fp32Gemm = current.Fp32Gemm == KernelPath.Avx512F ? KernelPath.Avx2Fma : current.Fp32Gemm,
                Int8Gemm = current.Int8Gemm is KernelPath.AvxVnni or KernelPath.Avx512BW ? KernelPath.Avx2 : current.Int8Gemm,
                Elementwise = current.Elementwise == KernelPath.Vector512 ? KernelPath.Vector256 : current.Elementwise,
            }).ToString(),
            _ => expectedPaths,
        };
    }

    private static readonly string[] Models = ["digits_mlp.onnx", "digits_cnn.onnx", "hello_deepa.onnx", "digits_cnn.onnx#static-int8", QuantizedChainCnn.Key];

    public static TheoryData<string, string, string> Paths => new()
    {
        { "", "", "default" },
        { "DOTNET_EnableAVX512F", "0", "default" }, // .NET 10 keeps Vector512 and Avx512F under this knob
        { "DOTNET_EnableAVX512", "0", "default without AVX-512" }, // .NET 10's switch: the AVX2 tiles
        { "DOTNET_EnableAVXVNNI", "0", "default without AVX-VNNI" },
        { "DOTNET_EnableAVXVNNI,DOTNET_EnableAVX512", "0", "default without AVX-VNNI or AVX-512" }, // the AVX2 int8 path, and LookupU8 without VBMI
        { "DOTNET_EnableAVX2", "0", "fp32 gemm: Vector128, int8 gemm: Scalar, elementwise: Vector128" },
        { "DOTNET_EnableHWIntrinsic", "0", "fp32 gemm: Scalar, int8 gemm: Scalar, elementwise: Scalar" },
    };

    [ConditionalTheory("data")]
    [MemberData(nameof(Paths))]
    public void A_forced_path_gives_the_default_paths_results(string variable, string value, string expectedPaths)
    {
        using var folder = new TempFolder();
        var reference = new Dictionary<string, byte[][]>();
        foreach (var (key, index) in Models.Select((m, i) => (m, i)))
        {
            var model = key == QuantizedChainCnn.Key ? QuantizedChainCnn.Quantized() : SharedModels.Load(key);
            var result = KernelCompiler.Compile(model);
            Assert.True(result.IsSupported, $"{key}: {string.Join("; ", result.Unsupported)}");
            using var program = result.Program!;
            if (key.Contains('#'))
            {
                Assert.Contains(program.Steps, s => s.Kind == StepKind.QConv);
                Assert.Contains(program.Steps, s => s.Kind == (key == QuantizedChainCnn.Key ? StepKind.LookupU8 : StepKind.QGemm));
            }

            var batch = 7;
            var input = SharedModels.SyntheticInputs(model, batch)[0];
            var inputBytes = new byte[input.Values.Length * 4];
            Buffer.BlockCopy(input.Values, 0, inputBytes, 0, inputBytes.Length);
            var stem = Path.Combine(folder.Path, $"m{index}");
            File.WriteAllBytes(stem + ".kernels", program.ToBytes());
            File.WriteAllBytes(stem + ".input", inputBytes);
            File.WriteAllText(stem + ".batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var executor = new KernelExecutor(program);
            reference[stem] = ProgramRunner.Run(executor, [inputBytes], batch);
        }

        var reported = RunChild(folder.Path, variable, value);
        output.WriteLine($"{(variable.Length == 0 ? "no switch" : $"{variable}={value}")}: child {reported}; this process {KernelDispatch.Current}");
        Assert.Contains(Expected(expectedPaths), reported);
        foreach (var (stem, expected) in reference)
        {
            for (var k = 0; k < expected.Length; k++)
            {
                var actual = File.ReadAllBytes($"{stem}.output{k}");
                if (QuantizedModel(stem))
                {
                    Assert.True(expected[k].AsSpan().SequenceEqual(actual), $"{Models[int.Parse(Path.GetFileName(stem)[1..])]} output {k} differs (int8 must be bit-exact)");
                    continue;
                }

                var difference = Tolerance.Compare(ProgramRunner.Floats(expected[k]), ProgramRunner.Floats(actual), 1e-4, 1e-5);
                Assert.True(difference is null, $"{Models[int.Parse(Path.GetFileName(stem)[1..])]} output {k}: {difference}");
            }
        }
    }

    private static bool QuantizedModel(string stem) => Models[int.Parse(Path.GetFileName(stem)[1..])].Contains('#');

    private static string RunChild(string folder, string variable, string value)
    {
        var assembly = typeof(IsaProbe).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [assembly, "probe", folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in variable.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "the probe did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"probe exited {process.ExitCode}: {stderr.Result}");
        var line = stdout.Result.Split('\n').FirstOrDefault(l => l.StartsWith(IsaProbe.PathsPrefix, StringComparison.Ordinal));
        Assert.NotNull(line);
        return line![IsaProbe.PathsPrefix.Length..].Trim();
    }
}
