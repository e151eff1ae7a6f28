using System.Globalization;
using System.Text.RegularExpressions;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>
/// samples/SemanticSearch (issue 13) built against the packed package and run as a user would: it embeds
/// the paraphrase pairs in its Data/pairs.tsv with the fp32 arctic-embed-xs encoder and the INT8 one the
/// build made, and prints recall@1, model size and latency of each. The figures are not pinned (the
/// quantizer keeps improving); what must hold is that search works and the INT8 model keeps it.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class SemanticSearchSampleTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string SampleName = "SemanticSearch";

    /// <summary>How many first phrasings of pairs.tsv the sample's Data/validation.npz holds.</summary>
    private const int ValidationSentences = 32;

    // A model's row of the sample's table, e.g. "int8 dynamic      0.967    24.4 MB          2.31 ms".
    private static readonly Regex ModelRow = new(@"^(?<model>fp32 original|int8 dynamic)\s+(?<recall>\d[.,]\d+)\s+(?<megabytes>\d+[.,]\d+) MB\s+(?<ms>\d+[.,]\d+) ms", RegexOptions.Multiline);

    private static string SampleDirectory => Path.Combine(RepositoryPaths.Root, "samples", SampleName);

    [ConditionalFact("data/models")]
    public void Sample_prints_recall_at_1_of_both_models_and_int8_keeps_it_in_a_smaller_model()
    {
        using var app = SampleApp();

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build of samples/SemanticSearch");
        output.WriteLine(build.SummaryLine(ArcticEncoderData.ModelFile, "quantize DynamicInt8"));
        var run = app.Run().AssertSucceeded("the sample");
        output.WriteLine(run.Output);

        var rows = ModelRow.Matches(run.Output).ToDictionary(row => row.Groups["model"].Value);
        Assert.True(rows.Count == 2, "the sample did not print a row for each model:\n" + run.Output);
        var fp32 = rows["fp32 original"];
        var int8 = rows["int8 dynamic"];
        Assert.InRange(Number(fp32, "recall"), 0.9, 1.0);
        Assert.InRange(Number(int8, "recall"), Number(fp32, "recall") - 0.03, 1.0);
        Assert.True(Number(int8, "megabytes") < Number(fp32, "megabytes"),
            $"the INT8 model ({Number(int8, "megabytes")} MB) is not smaller than the fp32 one ({Number(fp32, "megabytes")} MB)");
        Assert.True(Number(fp32, "ms") > 0 && Number(int8, "ms") > 0, "a latency is zero:\n" + run.Output);
    }

    /// <summary>
    /// The budget's validation data is committed (the build needs it before the app can run); it must stay
    /// the tokenization of the first phrasings in pairs.tsv, so editing the pairs without it fails here.
    /// </summary>
    [ConditionalFact("data/models")]
    public void Committed_validation_data_is_the_first_phrasings_of_the_pairs_tokenized()
    {
        var committed = Path.Combine(SampleDirectory, "Data", "validation.npz");
        var expected = Path.Combine(Path.GetTempPath(), $"semantic-search-validation-{Guid.NewGuid():N}.npz");
        var firstPhrasings = File.ReadAllLines(Path.Combine(SampleDirectory, "Data", "pairs.tsv"))
            .Where(line => line.Length > 0).Select(line => line.Split('\t')[0]).Take(ValidationSentences).ToList();
        ArcticEncoderData.Encode(firstPhrasings).WriteNpz(expected);

        Assert.True(File.Exists(committed) && File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(expected)),
            $"{committed} is not the first {ValidationSentences} phrasings of pairs.tsv tokenized; the up-to-date file is {expected}: copy it over.");
        File.Delete(expected);
    }

    /// <summary>Without an override the sample reads the encoder from the shared data folder beside the repository.</summary>
    [Fact]
    public void Sample_reads_the_encoder_from_the_shared_data_beside_the_repository_by_default()
    {
        var evaluation = ProcessRunner.Run("dotnet", "msbuild SemanticSearch.csproj -nologo -getProperty:EncoderModelDirectory", SampleDirectory)
            .AssertSucceeded("evaluating the sample's project");

        Assert.Equal(Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "data", "models")),
            Path.GetFullPath(evaluation.Output.Trim()));
    }

    /// <summary>
    /// The sample's own files (not its build outputs) in a temporary app folder that takes Optimizer.Build
    /// from the packed feed; the model folder is given as a user with their own copy would give it.
    /// </summary>
    private TestApp SampleApp()
    {
        var app = new TestApp(packages, SampleName);
        foreach (var file in Directory.EnumerateFiles(SampleDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(SampleDirectory, file);
            if (!IsBuildOutput(relative))
                app.CopyFile(file, relative);
        }

        // What samples/Directory.Build.props and the command line say in the repository.
        app.WriteFile("Directory.Build.props", $"""
            <Project>
              <PropertyGroup>
                <OptimizerVersion>{packages.Version}</OptimizerVersion>
                <EncoderModelDirectory>{Path.Combine(RepositoryPaths.SharedData, "models")}</EncoderModelDirectory>
              </PropertyGroup>
            </Project>
            """);
        return app;
    }

    // bin/ and obj/ of a local build, and Models/, which the build fills from EncoderModelDirectory.
    private static bool IsBuildOutput(string relativePath) =>
        new[] { "bin", "obj", "Models" }.Contains(relativePath.Split(Path.DirectorySeparatorChar)[0]);

    private static double Number(Match row, string group) =>
        double.Parse(row.Groups[group].Value.Replace(',', '.'), CultureInfo.InvariantCulture);
}
