using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Training passes as a user meets them: an app references Optimizer.Build and Optimizer.Training,
/// declares [FineTune] after 80% global pruning and [Distill] after 50% channel pruning (then INT8),
/// `dotnet build` trains them, and the app scores each generated class on the 450 test images.
/// A second build with nothing changed must not train again; a project without Optimizer.Training
/// gets OPT1070 at the attribute.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed partial class TrainingAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Train = "Data = \"Data/digits_train_x_1347x64.f32\", Labels = \"Data/digits_train_y_1347.u8\", Validation = \"Data/digits_test_x_450x64.f32\", ValidationLabels = \"Data/digits_test_y_450.u8\"";

    // SGD 0.05 × 15 epochs recovered the 80%-pruned CNN to 98.9–99.3% over seeds 1–4; Adam 0.01 × 30
    // epochs distilled the channel-pruned one to 98.9–99.1% (Optimizer.Training.Tests).
    private const string ModelClasses = $$"""
        using Optimizer.Runtime;

        namespace TrainingApp;

        [OnnxModel("Models/digits_cnn.onnx")]
        public partial class CnnFp32;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Prune(Sparsity = 0.8, Scope = PruneScope.Global)]
        public partial class CnnPruned80;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Prune(Sparsity = 0.8, Scope = PruneScope.Global)]
        [FineTune({{Train}}, Epochs = 15, LearningRate = 0.05, Optimizer = TrainingOptimizer.Sgd, Seed = 1)]
        public partial class CnnPruned80FineTuned;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Prune(Sparsity = 0.5, Structure = PruneStructure.Channel)]
        [FineTune({{Train}}, Epochs = 30, LearningRate = 0.01, Seed = 1)]
        [Distill(Temperature = 4, Alpha = 0.7)]
        public partial class CnnChannelDistilled;

        [OnnxModel("Models/digits_cnn.onnx")]
        [Prune(Sparsity = 0.5, Structure = PruneStructure.Channel)]
        [FineTune({{Train}}, Epochs = 30, LearningRate = 0.01, Seed = 1)]
        [Distill(Temperature = 4, Alpha = 0.7)]
        [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32")]
        public partial class CnnChannelDistilledInt8;
        """;

    // Prints "<class> <accuracy>" per model.
    private const string Program = """
        using System.Globalization;
        using Optimizer.Runtime;
        using TrainingApp;

        var bytes = File.ReadAllBytes("Data/digits_test_x_450x64.f32");
        var pixels = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, pixels, 0, bytes.Length);
        var labels = File.ReadAllBytes("Data/digits_test_y_450.u8");
        var batch = new ModelTensor<float>(pixels, labels.Length, 1, 8, 8);

        Report("CnnFp32", new CnnFp32().Run(new CnnFp32.Input(batch)).Logits);
        Report("CnnPruned80", new CnnPruned80().Run(new CnnPruned80.Input(batch)).Logits);
        Report("CnnPruned80FineTuned", new CnnPruned80FineTuned().Run(new CnnPruned80FineTuned.Input(batch)).Logits);
        Report("CnnChannelDistilled", new CnnChannelDistilled().Run(new CnnChannelDistilled.Input(batch)).Logits);
        Report("CnnChannelDistilledInt8", new CnnChannelDistilledInt8().Run(new CnnChannelDistilledInt8.Input(batch)).Logits);

        void Report(string name, ModelTensor<float> logits)
        {
            var correct = logits.ArgMaxLastAxis().Where((p, i) => p == labels[i]).Count();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {(double)correct / labels.Length:R}"));
        }
        """;

    [ConditionalFact("data")]
    public void Fine_tuning_and_distillation_recover_pruned_cnn_through_the_generated_classes_and_a_rebuild_does_not_train()
    {
        var shared = RepositoryPaths.SharedData;
        using var app = new TestApp(packages, "TrainingApp", $"""
            <ItemGroup>
              <PackageReference Include="Optimizer.Training" Version="{packages.Version}" />
              <None Include="Data/digits_test_*" CopyToOutputDirectory="PreserveNewest" />
              <!-- The same pruning and fine-tuning as CnnPruned80FineTuned, declared as item metadata. -->
              <OnnxModel Include="Models/digits_cnn.onnx" ClassName="TrainingApp.CnnItemFineTuned" Sparsity="0.8" Scope="Global"
                         FineTuneData="Data/digits_train_x_1347x64.f32" FineTuneLabels="Data/digits_train_y_1347.u8"
                         FineTuneEpochs="15" FineTuneLearningRate="0.05" FineTuneOptimizer="Sgd" FineTuneSeed="1" />
            </ItemGroup>
            """);
        app.CopyFile(Path.Combine(shared, "models", "digits_cnn.onnx"), "Models/digits_cnn.onnx");
        foreach (var file in new[] { "digits_train_x_1347x64.f32", "digits_train_y_1347.u8", "digits_test_x_450x64.f32", "digits_test_y_450.u8" })
            app.CopyFile(Path.Combine(shared, "digits", file), Path.Combine("Data", file));
        app.WriteFile("Models.cs", ModelClasses);
        app.WriteFile("Program.cs", Program);

        var clock = Stopwatch.StartNew();
        var build = app.Build().AssertSucceeded("dotnet build");
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var lines = build.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("digits_cnn.onnx:", StringComparison.Ordinal)).ToList();
        foreach (var line in lines) output.WriteLine(line);

        // One compact line per epoch at normal verbosity, for each trained model.
        Assert.Equal(30, lines.Count(l => l.StartsWith("digits_cnn.onnx: fine-tune epoch ", StringComparison.Ordinal)));
        Assert.Equal(60, lines.Count(l => l.StartsWith("digits_cnn.onnx: distill epoch ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => EpochLine().IsMatch(l));

        var run = ProcessRunner.Run("dotnet", "run --no-build", app.Directory).AssertSucceeded("the built app");
        output.WriteLine(run.Output);
        var accuracy = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        var fp32 = accuracy["CnnFp32"];
        Assert.InRange(fp32, 0.99, 1.0);                                                       // 99.3%
        Assert.True(accuracy["CnnPruned80"] < fp32 - 0.2, "80% pruning without fine-tuning should lose accuracy");
        Assert.True(accuracy["CnnPruned80FineTuned"] >= fp32 - 0.01 + 1e-9, $"fine-tuned {accuracy["CnnPruned80FineTuned"]:P2} not within 1 pp of {fp32:P2}");
        Assert.True(accuracy["CnnChannelDistilled"] >= fp32 - 0.01 + 1e-9, $"distilled {accuracy["CnnChannelDistilled"]:P2} not within 1 pp of {fp32:P2}");
        Assert.True(accuracy["CnnChannelDistilledInt8"] >= fp32 - 0.015 + 1e-9, $"distilled INT8 {accuracy["CnnChannelDistilledInt8"]:P2} not within 1.5 pp of {fp32:P2}");

        // Parameters and FLOPs of the channel-pruned student, from its report.
        var report = File.ReadAllText(Path.Combine(app.OptimizerOutputDirectory, "TrainingApp.CnnChannelDistilled.report.md"));
        var (paramsBefore, paramsAfter) = Row(report, "parameters");
        var (flopsBefore, flopsAfter) = Row(report, "FLOPs (one sample)");
        Assert.Contains("## Training", report);
        Assert.True(paramsAfter < 0.5 * paramsBefore && flopsAfter < 0.5 * flopsBefore, $"params {paramsBefore}→{paramsAfter}, FLOPs {flopsBefore}→{flopsAfter}");

        var trained = lines.Where(l => l.Contains(" + finetune", StringComparison.Ordinal)).Select(Seconds).ToList();
        var untrained = lines.Where(l => l.Contains("prune 80% →", StringComparison.Ordinal)).Select(Seconds).First();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy: fp32 {fp32:P2}, pruned 80% {accuracy["CnnPruned80"]:P2} → fine-tuned {accuracy["CnnPruned80FineTuned"]:P2}; channel 50% + distill {accuracy["CnnChannelDistilled"]:P2}, + INT8 {accuracy["CnnChannelDistilledInt8"]:P2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parameters {paramsBefore} → {paramsAfter} ({1 - paramsAfter / paramsBefore:P1} fewer), FLOPs {flopsBefore} → {flopsAfter} ({1 - flopsAfter / flopsBefore:P1} fewer)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"build {buildSeconds:0.0} s; engine per trained model {string.Join(", ", trained.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))} s vs {untrained:0.0} s for the same pruning untrained"));

        // The item declares the same training without validation data: training is seeded and
        // deterministic, and validation only measures, so the weights come out byte for byte the same.
        Assert.Equal(File.ReadAllBytes(Path.Combine(app.OptimizerOutputDirectory, "TrainingApp.CnnPruned80FineTuned.onnx")),
            File.ReadAllBytes(Path.Combine(app.OptimizerOutputDirectory, "TrainingApp.CnnItemFineTuned.onnx")));

        // Nothing changed: the incremental cache skips the engine, so nothing trains again.
        var modelFile = Path.Combine(app.OptimizerOutputDirectory, "TrainingApp.CnnPruned80FineTuned.onnx");
        var written = File.GetLastWriteTimeUtc(modelFile);
        var rebuild = app.Build().AssertSucceeded("second dotnet build");
        Assert.DoesNotContain(" epoch ", rebuild.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(modelFile));
    }

    [ConditionalFact("data")]
    public void Fine_tune_without_the_training_package_is_OPT1070_at_the_attribute()
    {
        var shared = RepositoryPaths.SharedData;
        using var app = new TestApp(packages, "NoTrainingPackage");
        app.CopyFile(Path.Combine(shared, "models", "digits_mlp.onnx"), "Models/digits_mlp.onnx");
        app.CopyFile(Path.Combine(shared, "digits", "digits_train_x_1347x64.f32"), "Data/x.f32");
        app.CopyFile(Path.Combine(shared, "digits", "digits_train_y_1347.u8"), "Data/y.u8");
        app.WriteFile("Models.cs", """
            using Optimizer.Runtime;

            [OnnxModel("Models/digits_mlp.onnx")]
            [FineTune(Data = "Data/x.f32", Labels = "Data/y.u8")]
            public partial class Mlp;
            """);
        app.WriteFile("Program.cs", "System.Console.WriteLine(Mlp.Metadata.Name);");

        var build = app.Build();
        output.WriteLine(build.Output);
        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(@"Models\.cs\(4,\d+\): error OPT1070: .*Optimizer\.Training", build.Output);
        Assert.DoesNotContain(" epoch ", build.Output);
    }

    private static (double Before, double After) Row(string report, string name)
    {
        var match = Regex.Match(report, $@"\| {Regex.Escape(name)} \| ([\d,]+) \| ([\d,]+) \|");
        Assert.True(match.Success, $"no '{name}' row in the report");
        return (double.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
                double.Parse(match.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    private static double Seconds(string summaryLine) =>
        double.Parse(Regex.Match(summaryLine, @", ([\d.]+) s$").Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^digits_cnn\.onnx: fine-tune epoch 15/15: loss \d+\.\d{4}, validation accuracy \d+\.\d{2}%$")]
    private static partial Regex EpochLine();
}
