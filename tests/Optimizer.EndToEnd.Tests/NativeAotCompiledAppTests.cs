using System.Globalization;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// The compiled-kernel path as a user meets it: an app declares the digits models, `dotnet publish`
/// with NativeAOT builds it (the build compiles each covered model into C# kernels and embeds
/// them), and the published binary scores the 450 test images with ONNX Runtime's native library
/// present and then deleted. Without it the compiled kernels must run and give the accuracy the
/// ONNX Runtime path gave.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class NativeAotCompiledAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string ModelClasses = """
        using Optimizer.Runtime;

        namespace AotApp;

        [OnnxModel("Models/digits_mlp.onnx")]
        public partial class Mlp;

        [OnnxModel("Models/digits_cnn.onnx")]
        public partial class Cnn;

        // Quantized: the build embeds two compiled variants, int8 and the fp32 fallback.
        [OnnxModel("Models/digits_mlp.onnx")]
        [Quantize(QuantizationMode.DynamicInt8)]
        public partial class MlpInt8;
        """;

    // Prints "<class> <path> <accuracy>" for each path that can run, "<class> <path> unavailable"
    // otherwise, and "<class> default <ExecutionPath>".
    private const string Program = """
        using System.Globalization;
        using Optimizer.Runtime;
        using AotApp;

        var folder = Path.Combine(AppContext.BaseDirectory, "Data");
        var bytes = File.ReadAllBytes(Path.Combine(folder, "digits_test_x_450x64.f32"));
        var pixels = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, pixels, 0, bytes.Length);
        var labels = File.ReadAllBytes(Path.Combine(folder, "digits_test_y_450.u8"));
        var batch = new ModelTensor<float>(pixels, labels.Length, 1, 8, 8);

        foreach (var path in new[] { ExecutionPathKind.OnnxRuntime, ExecutionPathKind.Compiled })
        {
            var options = new ModelOptions { Path = path, AllowFallback = false };
            Score("Mlp", path, () => { using var m = new Mlp(options); return m.Run(new Mlp.Input(batch)).Logits; });
            Score("Cnn", path, () => { using var m = new Cnn(options); return m.Run(new Cnn.Input(batch)).Logits; });
        }

        using (var mlp = new Mlp(new ModelOptions { Path = ExecutionPathKind.Compiled })) Console.WriteLine($"Mlp compiledPath {mlp.ExecutionPath}");
        using (var q = new MlpInt8(new ModelOptions { Path = ExecutionPathKind.Compiled })) Console.WriteLine($"MlpInt8 compiledPath {q.ExecutionPath}");
        foreach (var variant in new[] { "int8", "fp32" })
            Score("MlpInt8", variant, () => { using var m = new MlpInt8(new ModelOptions { Path = ExecutionPathKind.Compiled, Variant = variant, AllowFallback = false }); return m.Run(new MlpInt8.Input(batch)).Logits; });
        using (var mlp = new Mlp()) Console.WriteLine($"Mlp default {mlp.ExecutionPath}");
        using (var cnn = new Cnn()) Console.WriteLine($"Cnn default {cnn.ExecutionPath}");

        void Score(string name, object path, Func<ModelTensor<float>> run)
        {
            ModelTensor<float> logits;
            try { logits = run(); }
            catch (InvalidOperationException) { Console.WriteLine($"{name} {path} unavailable"); return; }
            var correct = logits.ArgMaxLastAxis().Where((p, i) => p == labels[i]).Count();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {path} {(double)correct / labels.Length:R}"));
        }
        """;

    [ConditionalFact(Needs.NativeAotToolchain, "data")]
    public void Published_with_NativeAOT_the_compiled_kernels_run_without_libonnxruntime_at_the_same_accuracy()
    {
        var shared = RepositoryPaths.SharedData;
        var linker = TestNeeds.Clang!;

        using var app = new TestApp(packages, "AotApp", $"""
            <PropertyGroup>
              <PublishAot>true</PublishAot>
              <InvariantGlobalization>true</InvariantGlobalization>
              <CppCompilerAndLinker>{Path.GetFileName(linker)}</CppCompilerAndLinker>
            </PropertyGroup>
            <ItemGroup>
              <None Include="Data/*" CopyToOutputDirectory="PreserveNewest" CopyToPublishDirectory="PreserveNewest" />
            </ItemGroup>
            """);
        app.CopyFile(Path.Combine(shared, "models", "digits_mlp.onnx"), "Models/digits_mlp.onnx");
        app.CopyFile(Path.Combine(shared, "models", "digits_cnn.onnx"), "Models/digits_cnn.onnx");
        foreach (var file in new[] { "digits_test_x_450x64.f32", "digits_test_y_450.u8" })
            app.CopyFile(Path.Combine(shared, "digits", file), Path.Combine("Data", file));
        app.WriteFile("Models.cs", ModelClasses);
        app.WriteFile("Program.cs", Program);

        var published = Path.Combine(app.Directory, "published");
        ProcessRunner.Run("dotnet", $"publish -c Release -r linux-x64 -o \"{published}\" -nologo", app.Directory, timeout: TimeSpan.FromMinutes(10))
            .AssertSucceeded("dotnet publish (NativeAOT)");
        var binary = Path.Combine(published, "AotApp");
        Assert.True(File.Exists(binary), "NativeAOT produced no native executable");
        var manifest = File.ReadAllText(Path.Combine(app.Directory, "obj", "Release", "net10.0", "linux-x64", "optimizer", "AotApp.Mlp.model.json"));
        Assert.Contains("\"resourceName\": \"Optimizer.Build.AotApp.Mlp.kernels\"", manifest);
        Assert.Contains("\"schedule\": [", manifest); // the steps the generator emits as C# kernel calls

        // The same app under the JIT (the IL build beside the publish), with AVX2 switched off by the
        // runtime's own knob: the compiled kernels take another ISA path and give the same accuracy.
        var jitFolder = Path.Combine(app.Directory, "bin", "Release", "net10.0", "linux-x64");
        var jit = Parse(ProcessRunner.Run("dotnet", "AotApp.dll", jitFolder).AssertSucceeded("the app under the JIT").Output);
        var noAvx2 = Parse(ProcessRunner.Run("dotnet", "AotApp.dll", jitFolder, new Dictionary<string, string> { ["DOTNET_EnableAVX2"] = "0" })
            .AssertSucceeded("the app under the JIT with DOTNET_EnableAVX2=0").Output);

        // Besides the baseline binary, one per x64 level (OptimizerAotInstructionSets); the baseline
        // starts the best one this CPU runs, so the kernels take the JIT's paths.
        foreach (var level in new[] { "x86-64-v3", "x86-64-v4" })
            Assert.True(File.Exists($"{binary}.{level}"), $"NativeAOT published no {level} binary beside the baseline");

        var withOrt = Parse(ProcessRunner.Run(binary, "", published).AssertSucceeded("the NativeAOT app with libonnxruntime.so").Output);
        foreach (var library in Directory.GetFiles(published, "libonnxruntime*.so*"))
            File.Delete(library);
        var withoutOrt = Parse(ProcessRunner.Run(binary, "", published).AssertSucceeded("the NativeAOT app without libonnxruntime.so").Output);

        foreach (var model in new[] { "Mlp", "Cnn" })
        {
            Assert.Equal("unavailable", withoutOrt[$"{model} OnnxRuntime"]);
            // The generator's C# schedule runs, not the interpreter.
            Assert.StartsWith("Compiled(generated; ", withoutOrt[$"{model} default"]);
            var ort = double.Parse(withOrt[$"{model} OnnxRuntime"], CultureInfo.InvariantCulture);
            var compiled = double.Parse(withoutOrt[$"{model} Compiled"], CultureInfo.InvariantCulture);
            Assert.Equal(ort, compiled);
        }

        foreach (var model in new[] { "Mlp", "Cnn" })
        {
            Assert.Equal(jit[$"{model} OnnxRuntime"], withOrt[$"{model} OnnxRuntime"]);
            Assert.Equal(jit[$"{model} Compiled"], noAvx2[$"{model} Compiled"]);
            Assert.Equal(withoutOrt[$"{model} Compiled"], noAvx2[$"{model} Compiled"]);
        }

        Assert.DoesNotContain("Avx2", noAvx2["Mlp compiledPath"]);

        // The same kernel paths as under the JIT (on an x64 CPU with AVX2 or AVX-512), and the
        // baseline binary, kept with OPTIMIZER_AOT_TIER=baseline, still runs at the same accuracy.
        var baseline = Parse(ProcessRunner.Run(binary, "", published, new Dictionary<string, string> { ["OPTIMIZER_AOT_TIER"] = "baseline" })
            .AssertSucceeded("the baseline NativeAOT binary").Output);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.Equal(jit["Mlp compiledPath"], withoutOrt["Mlp compiledPath"]);
            Assert.Equal(jit["MlpInt8 compiledPath"], withoutOrt["MlpInt8 compiledPath"]);
            Assert.DoesNotContain("Avx2", baseline["Mlp compiledPath"]);
        }

        Assert.Equal(withoutOrt["Mlp Compiled"], baseline["Mlp Compiled"]);
        Assert.Equal(withoutOrt["Cnn Compiled"], baseline["Cnn Compiled"]);

        // Variants: each runs when asked (fp32 is the same model as Mlp, so the same accuracy); by
        // default int8 only where this process sees INT8 dot products.
        Assert.Equal(withoutOrt["Mlp Compiled"], withoutOrt["MlpInt8 fp32"]);
        Assert.InRange(double.Parse(withoutOrt["MlpInt8 int8"], CultureInfo.InvariantCulture), 0.95, 1.0);
        // The build timed the variants on this machine and recorded the faster one (execution.variantChoice),
        // which the runtime runs on this CPU; without the record, the kernel table: int8 runs over the
        // AVX2+FMA fp32 path with AVX-VNNI; the AVX-512 fp32 tiles win otherwise.
        using var int8Manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(
            Path.Combine(app.Directory, "obj", "Release", "net10.0", "linux-x64", "optimizer", "AotApp.MlpInt8.model.json")));
        var timedWinner = int8Manifest.RootElement.GetProperty("execution").TryGetProperty("variantChoice", out var choice) ? choice.GetProperty("variant").GetString() : null;
        var int8Faster = System.Runtime.Intrinsics.X86.AvxVnni.IsSupported && !System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        Assert.EndsWith($"[{timedWinner ?? (int8Faster ? "int8" : "fp32")}]", jit["MlpInt8 compiledPath"]);
        Assert.StartsWith("Compiled(generated; ", withoutOrt["MlpInt8 compiledPath"]);

        Assert.InRange(double.Parse(withoutOrt["Mlp Compiled"], CultureInfo.InvariantCulture), 0.965, 1.0); // 97.1%
        Assert.InRange(double.Parse(withoutOrt["Cnn Compiled"], CultureInfo.InvariantCulture), 0.99, 1.0);  // 99.3%
    }

    private Dictionary<string, string> Parse(string text)
    {
        output.WriteLine(text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 3))
            .Where(parts => parts.Length == 3 && parts[0] is "Mlp" or "Cnn" or "MlpInt8")
            .ToDictionary(parts => $"{parts[0]} {parts[1]}", parts => parts[2]);
    }
}
