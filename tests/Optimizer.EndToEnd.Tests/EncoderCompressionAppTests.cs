using System.Globalization;
using System.Text.RegularExpressions;
using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Issue 19's chain in one declaration, as a user meets it: an app references Optimizer.Build and
/// Optimizer.Training, declares prune (FFN neurons) → fine-tune with distillation from the original →
/// DynamicInt8 under a cosine budget on the real encoder, and `dotnet build` runs the whole chain on
/// tokenized sentences (no labels). Short on purpose (64 training sentences, 2 epochs): it proves the
/// chain, its per-epoch and per-block lines, the budget and the generated class, not the issue's
/// fidelity figures, which need thousands of sentences and are measured by
/// EngineEncoderTrainingTests.Measure_distillation.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class EncoderCompressionAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Budget = "0.9";

    private const string Program = $$"""
        using System.Globalization;
        using Optimizer.Runtime;

        var ids = args.Select(long.Parse).ToArray();
        using var encoder = new EncoderApp.CompactEncoder();
        var hidden = encoder.Run(new EncoderApp.CompactEncoder.Input(
            new ModelTensor<long>(ids, 1, ids.Length),
            new ModelTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), 1, ids.Length),
            new ModelTensor<long>(new long[ids.Length], 1, ids.Length))).LastHiddenState;
        var size = hidden.Shape[2];
        var pooled = new double[size];
        for (var t = 0; t < ids.Length; t++)
            for (var h = 0; h < size; h++) pooled[h] += hidden.Span[t * size + h] / (double)ids.Length;
        Console.WriteLine("pooled " + string.Join(" ", pooled.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

        namespace EncoderApp
        {
            [OnnxModel("Models/arctic_embed_xs.onnx")]
            [Prune(Sparsity = 0.4, Structure = PruneStructure.Channel)]
            [FineTune(Data = "Data/train.npz", Validation = "Data/validation.npz", Epochs = 2, LearningRate = 3e-4, Seed = 1)]
            [Distill]
            [Quantize(QuantizationMode.DynamicInt8)]
            [AccuracyBudget(MinCosine = {{Budget}}, Validation = "Data/validation.npz")]
            public partial class CompactEncoder;
        }
        """;

    private const string ProbeSentence = "The weather in the mountains changed quickly, so the hikers turned back before noon.";

    private static readonly string Model = ArcticEncoderData.ModelFile;

    [ConditionalFact("data/models")]
    public void Prune_distill_and_dynamic_int8_in_one_declaration_build_a_smaller_encoder_under_its_budget()
    {
        using var app = new TestApp(packages, "EncoderCompressionApp",
            $"""<ItemGroup><PackageReference Include="Optimizer.Training" Version="{packages.Version}" /></ItemGroup>""");
        app.CopyFile(Path.Combine(RepositoryPaths.SharedData, "models", Model), "Models/" + Model);
        ArcticEncoderData.Encode(ArcticEncoderData.CalibrationSentences).WriteNpz(Path.Combine(app.Directory, "Data", "train.npz"));
        ArcticEncoderData.Encode(ArcticEncoderData.ValidationSentences).WriteNpz(Path.Combine(app.Directory, "Data", "validation.npz"));
        app.WriteFile("Program.cs", Program);

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build");
        var lines = build.Output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith(Model + ":", StringComparison.Ordinal)).ToList();

        // One line per epoch, with the validation cosine the best epoch is chosen by.
        var epochs = lines.Where(line => Regex.IsMatch(line, @"epoch [12]/2\b")).ToList();
        Assert.True(epochs.Count == 2, "expected one build line per epoch:\n" + string.Join('\n', lines));
        Assert.All(epochs, line => Assert.Matches(@"cos", line));

        // The budget was checked on the pooled embedding of the declared validation data, and held.
        var summary = lines.Single(line => line.Contains(" → ", StringComparison.Ordinal) && line.Contains("DynamicInt8", StringComparison.Ordinal));
        var pooled = Regex.Match(summary, @"last_hidden_state pooled cos(?:ine)? min (\d\.\d+)");
        Assert.True(pooled.Success, "no pooled cosine in the summary line: " + summary);
        var budgetCosine = double.Parse(pooled.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(budgetCosine, double.Parse(Budget, CultureInfo.InvariantCulture), 1.0);

        // Every block lost the same 40% of its FFN neurons; the report says so per block.
        var report = File.ReadAllText(app.MarkdownReport());
        var blocks = Regex.Matches(report, @"encoder block (\d) FFN: (\d+) of 1536 neurons removed");
        Assert.Equal(6, blocks.Select(m => m.Groups[1].Value).Distinct().Count());
        Assert.All(blocks, m => Assert.Equal("614", m.Groups[2].Value));

        // Pruned and int8: under a quarter of the fp32 file (issue 13's DynamicInt8 alone is 24%).
        var fp32 = Path.Combine(app.Directory, "Models", Model);
        var compact = Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx").Single();
        var sizeRatio = new FileInfo(compact).Length / (double)new FileInfo(fp32).Length;
        output.WriteLine($"file {sizeRatio:P1} of fp32; budget cosine {budgetCosine:F4}");
        Assert.True(sizeRatio <= 0.23, $"the pruned int8 encoder is {sizeRatio:P1} of fp32");

        // The generated class runs a sentence it was not trained on, as the optimized model does in ONNX Runtime.
        var ids = ArcticEncoderData.Tokenize(ProbeSentence);
        var run = app.Run(string.Join(" ", ids)).AssertSucceeded("the built app");
        var embedding = run.Output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("pooled ", StringComparison.Ordinal))
            .Split(' ').Skip(1).Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToList();
        double[] Pooled(string model) => EncoderReference.MeanPooled(EncoderReference.LastHiddenState(model, ids), ArcticEncoderData.HiddenSize);
        var toOriginal = EncoderReference.Cosine(embedding, Pooled(fp32));
        var toOptimized = EncoderReference.Cosine(embedding, Pooled(compact));
        output.WriteLine($"app vs original fp32 {toOriginal:F4}, vs the optimized model in ONNX Runtime {toOptimized:F6}");
        Assert.InRange(toOriginal, double.Parse(Budget, CultureInfo.InvariantCulture), 1.0);
        Assert.InRange(toOptimized, 0.999, 1.0 + 1e-9);

        // Nothing changed: the incremental cache skips the engine, so nothing trains again.
        var written = File.GetLastWriteTimeUtc(compact);
        var rebuild = app.Build().AssertSucceeded("second dotnet build");
        Assert.DoesNotContain(" epoch ", rebuild.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(compact));
    }
}
