using Optimizer.Tests.Shared;
using System.Globalization;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// The compression passes as a user meets them: one app declares the digits CNN and MLP with the
/// passes of issue 3, `dotnet build` optimizes them, and the app scores every generated class on
/// the 450 test images. Accuracy is measured through the generated classes, not the passes' API.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class DigitsCompressionAppTests
{
    private const string ModelClasses = """
        using Optimizer.Runtime;

        namespace DigitsApp;

        [OnnxModel("Models/digits_cnn.onnx")]
        public partial class CnnFp32;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32")]
        public partial class CnnStaticInt8;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Prune(Sparsity = 0.5, Scope = PruneScope.Global)]
        [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32")]
        public partial class CnnPrunedInt8;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Prune(Sparsity = 0.5, Structure = PruneStructure.Channel)]
        public partial class CnnChannelPruned;

        [OnnxModel("Models/digits_mlp.onnx")]
        public partial class MlpFp32;

        [OnnxModel("Models/digits_mlp.onnx")]
        [Quantize(QuantizationMode.DynamicInt8)]
        public partial class MlpDynamicInt8;

        [OnnxModel("Models/digits_mlp.onnx")]
        [Prune(Sparsity = 0.5, Scope = PruneScope.Global)]
        [Quantize(QuantizationMode.DynamicInt8)]
        public partial class MlpPrunedInt8;
        """;

    // Prints "<class> <accuracy> <embedded bytes>" per model.
    private const string Program = """
        using System.Globalization;
        using Optimizer.Runtime;
        using DigitsApp;

        var bytes = File.ReadAllBytes("Data/digits_test_x_450x64.f32");
        var pixels = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, pixels, 0, bytes.Length);
        var labels = File.ReadAllBytes("Data/digits_test_y_450.u8");
        var batch = new ModelTensor<float>(pixels, labels.Length, 1, 8, 8);

        Report("CnnFp32", CnnFp32.Metadata, new CnnFp32().Run(new CnnFp32.Input(batch)).Logits);
        Report("CnnStaticInt8", CnnStaticInt8.Metadata, new CnnStaticInt8().Run(new CnnStaticInt8.Input(batch)).Logits);
        Report("CnnPrunedInt8", CnnPrunedInt8.Metadata, new CnnPrunedInt8().Run(new CnnPrunedInt8.Input(batch)).Logits);
        Report("CnnChannelPruned", CnnChannelPruned.Metadata, new CnnChannelPruned().Run(new CnnChannelPruned.Input(batch)).Logits);
        Report("MlpFp32", MlpFp32.Metadata, new MlpFp32().Run(new MlpFp32.Input(batch)).Logits);
        Report("MlpDynamicInt8", MlpDynamicInt8.Metadata, new MlpDynamicInt8().Run(new MlpDynamicInt8.Input(batch)).Logits);
        Report("MlpPrunedInt8", MlpPrunedInt8.Metadata, new MlpPrunedInt8().Run(new MlpPrunedInt8.Input(batch)).Logits);

        void Report(string name, ModelMetadata metadata, ModelTensor<float> logits)
        {
            var predicted = logits.ArgMaxLastAxis();
            var correct = predicted.Where((p, i) => p == labels[i]).Count();
            using var resource = typeof(CnnFp32).Assembly.GetManifestResourceStream(metadata.ResourceName)!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {(double)correct / labels.Length:R} {resource.Length}"));
        }
        """;

    private readonly PackedPackages _packages;
    private readonly ITestOutputHelper _output;

    public DigitsCompressionAppTests(PackedPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
    }

    [ConditionalFact("data")]
    public void Compressed_digits_models_keep_their_accuracy_through_the_generated_classes()
    {
        var shared = RepositoryPaths.SharedData;

        using var app = new TestApp(_packages, "DigitsApp", """
            <ItemGroup>
              <None Include="Data/digits_test_*" CopyToOutputDirectory="PreserveNewest" />
            </ItemGroup>
            """);
        app.CopyFile(Path.Combine(shared, "models", "digits_cnn.onnx"), "Models/digits_cnn.onnx");
        app.CopyFile(Path.Combine(shared, "models", "digits_mlp.onnx"), "Models/digits_mlp.onnx");
        foreach (var file in new[] { "digits_train_x_1347x64.f32", "digits_test_x_450x64.f32", "digits_test_y_450.u8" })
            app.CopyFile(Path.Combine(shared, "digits", file), Path.Combine("Data", file));
        app.WriteFile("Models.cs", ModelClasses);
        app.WriteFile("Program.cs", Program);

        var build = app.Build().AssertSucceeded("dotnet build");
        foreach (var line in build.Output.Split('\n').Where(l => l.Contains(".onnx:")))
            _output.WriteLine(line.Trim());
        var run = ProcessRunner.Run("dotnet", "run --no-build", app.Directory).AssertSucceeded("the built app");
        _output.WriteLine(run.Output);

        var results = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 3)
            .ToDictionary(parts => parts[0], parts => (
                Accuracy: double.Parse(parts[1], CultureInfo.InvariantCulture),
                Bytes: long.Parse(parts[2], CultureInfo.InvariantCulture)));

        var cnn = results["CnnFp32"].Accuracy;
        var mlp = results["MlpFp32"].Accuracy;
        Assert.InRange(cnn, 0.99, 1.0);                               // 99.3% is the reference
        Assert.InRange(mlp, 0.965, 1.0);                              // 97.1%
        Assert.True(results["CnnStaticInt8"].Accuracy >= 0.991, $"static INT8 CNN {results["CnnStaticInt8"].Accuracy:P2} < 99.1%");
        Assert.True(cnn - results["CnnStaticInt8"].Accuracy <= 0.003 + 1e-9, "static INT8 CNN more than 0.3 pp below fp32");
        Assert.True(mlp - results["MlpDynamicInt8"].Accuracy <= 0.003 + 1e-9, "dynamic INT8 MLP more than 0.3 pp below fp32");
        Assert.True(cnn - results["CnnPrunedInt8"].Accuracy <= 0.01 + 1e-9, "50% global pruning + INT8 CNN more than 1 pp below fp32");
        Assert.True(mlp - results["MlpPrunedInt8"].Accuracy <= 0.01 + 1e-9, "50% global pruning + INT8 MLP more than 1 pp below fp32");
        Assert.True(results["MlpDynamicInt8"].Bytes <= 0.30 * results["MlpFp32"].Bytes, "INT8 MLP larger than 30% of fp32");
        Assert.True(results["CnnChannelPruned"].Bytes < results["CnnFp32"].Bytes, "channel pruning did not make the CNN smaller");
    }
}
