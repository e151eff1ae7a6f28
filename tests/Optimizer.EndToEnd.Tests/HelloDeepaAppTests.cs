using Optimizer.Tests.Shared;
using System.Globalization;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// A fresh app declares hello_deepa.onnx (input named <c>onnx::Flatten_0</c>, output <c>39</c>)
/// with DynamicInt8, builds against the packed package with `dotnet build`, runs, and its output
/// is checked against ONNX Runtime on the original model. Then the incremental guarantees.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class HelloDeepaAppTests
{
    private const string ModelClasses = """
        using Optimizer.Runtime;

        namespace WakeWordApp;

        [OnnxModel("Models/hello_deepa.onnx")]
        [Quantize(QuantizationMode.DynamicInt8)]
        public partial class WakeWord;

        [OnnxModel("Models/hello_deepa.onnx")]
        public partial class WakeWordFp32;
        """;

    // Prints the INT8 output, then the fp32 (no passes) output, one value per line.
    private const string Program = """
        using System.Globalization;
        using Optimizer.Runtime;
        using WakeWordApp;

        var data = new float[25 * 96];
        for (var i = 0; i < data.Length; i++) data[i] = MathF.Sin(i * 0.37f);

        using var int8 = new WakeWord();
        using var fp32 = new WakeWordFp32();
        var quantized = int8.Run(new WakeWord.Input(new ModelTensor<float>(data, 1, 25, 96)));
        var original = fp32.Run(new WakeWordFp32.Input(new ModelTensor<float>(data, 1, 25, 96)));
        Console.WriteLine("int8 " + quantized.Value39.Span[0].ToString("R", CultureInfo.InvariantCulture));
        Console.WriteLine("fp32 " + original.Value39.Span[0].ToString("R", CultureInfo.InvariantCulture));
        """;

    private readonly PackedPackages _packages;
    private readonly ITestOutputHelper _output;

    public HelloDeepaAppTests(PackedPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
    }

    [ConditionalFact("data")]
    public void Built_app_matches_onnx_runtime_on_the_original_and_rebuilds_do_no_work()
    {
        var shared = RepositoryPaths.SharedData;
        var originalModel = Path.Combine(shared, "models", "hello_deepa.onnx");

        using var app = new TestApp(_packages, "WakeWordApp");
        app.CopyFile(originalModel, "Models/hello_deepa.onnx");
        app.WriteFile("Models.cs", ModelClasses);
        app.WriteFile("Program.cs", Program);

        var build = app.Build().AssertSucceeded("first dotnet build");
        _output.WriteLine(build.Output);
        var optimized = Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx");
        Assert.Equal(2, optimized.Length);
        Assert.Equal(2, Directory.GetFiles(app.OptimizerOutputDirectory, "*.model.json").Length);
        // The package's props: the kernels' loops are JIT-compiled optimized from the app's first inference.
        var runtimeConfig = File.ReadAllText(Path.Combine(app.Directory, "bin", "Debug", "net10.0", "WakeWordApp.runtimeconfig.json"));
        Assert.Contains("\"System.Runtime.TieredCompilation.QuickJitForLoops\": false", runtimeConfig);

        // Output against ONNX Runtime on the original model, same input.
        var input = Enumerable.Range(0, 25 * 96).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var expected = OriginalModelReference.RunSingleInput(originalModel, input, [1, 25, 96]).Single();
        var run = app.Run().AssertSucceeded("the built app");
        _output.WriteLine(run.Output);
        var printed = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => float.Parse(parts[1], CultureInfo.InvariantCulture));
        _output.WriteLine($"ORT original {expected:R}, app fp32 {printed["fp32"]:R}, app int8 {printed["int8"]:R}");
        Assert.Equal(expected, printed["fp32"], 5);
        Assert.InRange(Math.Abs(printed["int8"] - expected), 0, 0.02);

        // A second build with nothing changed must not optimize again.
        var stamps = optimized.ToDictionary(path => path, File.GetLastWriteTimeUtc);
        Thread.Sleep(1100); // coarse file-system timestamps
        var second = app.Build().AssertSucceeded("second dotnet build");
        foreach (var (path, stamp) in stamps)
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        Assert.DoesNotContain("hello_deepa.onnx:", SummaryLines(second.Output));

        // Nor must a source edit that does not change any plan.
        File.AppendAllText(Path.Combine(app.Directory, "Program.cs"), "\n// an edit that changes no plan\n");
        app.Build().AssertSucceeded("build after an unrelated source edit");
        foreach (var (path, stamp) in stamps)
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
    }

    // The optimizer prints one summary line per model it optimized, starting with the model's file name.
    private static string SummaryLines(string buildOutput) =>
        string.Join('\n', buildOutput.Split('\n').Where(line => line.Contains("OPT") == false && line.Contains(" → ")));
}
