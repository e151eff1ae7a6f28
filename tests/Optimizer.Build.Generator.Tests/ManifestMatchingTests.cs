using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

public class ManifestMatchingTests
{
    private const string Source = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("./Models\\digits.onnx")]
        public partial class DigitClassifier;
        """;

    [Fact]
    public void A_bare_manifest_matches_by_normalised_model_path()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, ("digits.model.json", Manifests.Digits(className: "", modelPath: "Models/digits.onnx")));

        run.AssertCompilesCleanly();
    }

    [Fact]
    public void Model_path_comparison_is_case_sensitive()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, ("digits.model.json", Manifests.Digits(className: "", modelPath: "models/digits.onnx")));

        Assert.Equal("OPT2001", Assert.Single(run.GeneratorDiagnostics).Id);
    }

    [Fact]
    public void The_manifest_naming_the_class_wins_over_a_bare_one_for_the_same_path()
    {
        string bare = Manifests.With("", "Models/digits.onnx", Manifests.Tensor("bare", "float32", "[1]"), Manifests.Tensor("out", "float32", "[1]"));

        GeneratorRun run = GeneratorHarness.Run(Source, ("a-bare.model.json", bare), (Manifests.DigitsPath, Manifests.Digits()));

        run.AssertCompilesCleanly();
        Assert.Contains("InputValue", run.SingleSource);
        Assert.DoesNotContain("Bare", run.SingleSource);
    }

    [Fact]
    public void A_manifest_for_another_class_does_not_match()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.Digits(className: "Other.DigitClassifier")));

        Assert.Equal("OPT2001", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void Other_additional_files_are_ignored()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, ("notes.json", "not json at all"), (Manifests.DigitsPath, Manifests.Digits()));

        run.AssertCompilesCleanly();
    }

    [Theory]
    [InlineData("Models/digits.onnx", "Models/digits.onnx")]
    [InlineData("./Models/digits.onnx", "Models/digits.onnx")]
    [InlineData("././Models\\digits.onnx", "Models/digits.onnx")]
    [InlineData("../digits.onnx", "../digits.onnx")]
    public void Paths_are_normalised_to_forward_slashes_without_leading_dot_slash(string declared, string normalised)
    {
        Assert.Equal(normalised, Parser.GenerationPlanner.NormalizePath(declared));
    }
}
