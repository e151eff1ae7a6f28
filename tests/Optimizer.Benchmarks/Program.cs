using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Benchmarks;
using Optimizer.Onnx;

// In process: every case shares the models built (and calibrated) once, and no generated project
// is built under tests/ (where tests/Directory.Build.props would turn it into an xunit project).
// A short job (1 launch, 3 warm-up and 10 measured iterations; ShortRun's 3 give error bars wider
// than the mean on a shared machine) keeps the whole run to a few minutes on 2 cores.
var job = Job.ShortRun.WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance).WithId("Short10-InProcess");
var config = DefaultConfig.Instance.AddJob(job);

if (!args.Contains("--no-info"))
{
    ModelInfo.Print();
    DigitsInfo.Print();
}

BenchmarkSwitcher.FromAssembly(typeof(InferenceBenchmarks).Assembly).Run(args.Where(a => a != "--no-info").ToArray(), config);

/// <summary>What each variant is: file size, operators, what ONNX Runtime made of it, and how far its output is from fp32.</summary>
internal static class ModelInfo
{
    public static void Print()
    {
        Console.WriteLine($"CPU: AVX2={Avx2.IsSupported} AVX-512F={Avx512F.IsSupported} AVX-VNNI={AvxVnni.IsSupported}; " +
                          $"{Environment.ProcessorCount} logical processors; ORT intra-op threads={ModelVariants.IntraOpThreads}; StaticInt8 calibration method={ModelVariants.CalibrationMethod}");
        foreach (var model in Enum.GetValues<ModelKind>())
        {
            var input = ModelBuilders.RandomInput(4 * ModelVariants.SampleSize(model), seed: 11);
            float[]? reference = null;
            foreach (var variant in Enum.GetValues<Variant>())
            {
                BuiltVariant built;
                try
                {
                    built = ModelVariants.Get(model, variant);
                }
                catch (Exception e)
                {
                    Console.WriteLine($"{model} {variant}: NOT BUILT: {e.GetType().Name}: {e.Message}");
                    continue;
                }

                var output = Run(built.Bytes, input, ModelVariants.InputShape(model, 4), out var ortOps, out var islands);
                reference ??= output;
                var maxAbs = reference.Max(MathF.Abs);
                var maxErr = output.Zip(reference, (a, b) => MathF.Abs(a - b)).Max();
                Console.WriteLine($"{model} {variant}: {built.Bytes.Length / 1024.0:N0} KiB ({100.0 * built.Bytes.Length / ModelVariants.Get(model, Variant.Fp32).Bytes.Length:N1}% of fp32), " +
                                  $"max |out - fp32| = {maxErr:G3} (max |fp32 out| {maxAbs:G3})");
                Console.WriteLine($"    our ops: {Histogram(built.Ir.Graph.Nodes.Select(n => n.OpType))}");
                Console.WriteLine($"    ORT optimized ops: {ortOps}");
                if (islands.Length > 0)
                {
                    Console.WriteLine($"    float islands left by ORT (producer → Q/DQ → consumer): {islands}");
                }
                foreach (var report in built.Reports)
                {
                    Console.WriteLine($"    {report.Pass}: {report.Summary} ({report.Changed.Count} changed, {report.Skipped.Count} skipped)");
                    foreach (var skip in report.Skipped.Take(5))
                    {
                        Console.WriteLine($"        skipped {skip.Node}: {skip.Reason}");
                    }
                }
            }
        }

        Console.WriteLine();
    }

    private static float[] Run(byte[] bytes, float[] input, long[] shape, out string ortOps, out string islands)
    {
        var optimizedPath = Path.Combine(Path.GetTempPath(), $"optimizer-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            using var options = ModelVariants.CreateSessionOptions();
            options.OptimizedModelFilePath = optimizedPath;
            using var session = new InferenceSession(bytes, options);
            using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [ModelBuilders.InputName], [value], [ModelBuilders.OutputName]);
            var output = results[0].GetTensorDataAsSpan<float>().ToArray();
            try
            {
                var optimized = OnnxModelLoader.Load(optimizedPath);
                ortOps = Histogram(optimized.Graph.Nodes.Select(Op));
                var graph = optimized.Graph;
                islands = Histogram(graph.Nodes.Where(n => n.OpType is "QuantizeLinear" or "DequantizeLinear").Select(n =>
                    $"{(graph.FindProducer(n.Inputs[0]) is { } p ? Op(p) : "input")} → {n.OpType} → {string.Join("+", graph.FindConsumers(n.Outputs[0]).Select(Op).DefaultIfEmpty("output"))}"));
            }
            catch (Exception e)
            {
                ortOps = $"(could not read ORT's optimized model: {e.Message})";
                islands = "";
            }

            return output;
        }
        finally
        {
            File.Delete(optimizedPath);
        }
    }

    private static string Op(OnnxNode n) => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}";

    private static string Histogram(IEnumerable<string> ops) =>
        string.Join(", ", ops.GroupBy(o => o).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
}

/// <summary>The digits table's size and accuracy columns (latency ratios come from DigitsBenchmarks).</summary>
internal static class DigitsInfo
{
    public static void Print()
    {
        if (DigitsVariants.DataFolder is null)
        {
            Console.WriteLine("digits: ../shared/data is absent, digits variants not described");
            return;
        }
        Console.WriteLine("| model | declaration | size (bytes) | size vs fp32 | top-1 (450 test images) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var model in Enum.GetValues<DigitsModel>())
        {
            var fp32 = DigitsVariants.Get(model, DigitsVariant.Fp32).Length;
            foreach (var variant in Enum.GetValues<DigitsVariant>())
            {
                var bytes = DigitsVariants.Get(model, variant);
                Console.WriteLine($"| {model} | {variant} | {bytes.Length:N0} | {100.0 * bytes.Length / fp32:N1}% | {100 * DigitsVariants.Accuracy(bytes):N2}% |");
            }
        }
    }
}
