using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// <c>execution.variantChoice</c> (the build timed the compiled variants against each other) reaches
/// <c>ModelMetadata.VariantChoice</c>; its fields are tokens, so anything else makes the manifest
/// malformed rather than reach generated code.
/// </summary>
public class VariantChoiceManifestTests
{
    private const string Source = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
        public partial class DigitClassifier;
        """;

    private const string Machine = "AVX512F+AVX-VNNI; fp32 gemm: Avx512F, int8 gemm: AvxVnni, elementwise: Vector512";

    [Fact]
    public void The_winner_is_read_with_its_machine_and_shapes()
    {
        ModelManifest manifest = ManifestParser.Parse("d", Manifests.DigitsVariantChoice()).Manifest!;

        Assert.Equal(new VariantChoiceInfo(Machine, "[1,1,8,8]", "int8"), manifest.VariantChoice);
        Assert.Null(ManifestParser.Parse("d", Manifests.DigitsWithVariants()).Manifest!.VariantChoice);
        Assert.NotEqual(manifest, ManifestParser.Parse("d", Manifests.DigitsVariantChoice(
            $$"""{ "variant": "fp32", "machine": "{{Machine}}", "timedAt": "[1,1,8,8]" }""")).Manifest); // a changed winner regenerates
    }

    [Fact]
    public void The_generated_metadata_carries_it_and_compiles()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsVariantChoice()));

        run.AssertCompilesCleanly();
        Assert.Contains($"    VariantChoice = new global::Optimizer.Runtime.VariantChoice(\"{Machine}\", \"[1,1,8,8]\", \"int8\"),", run.SingleSource);
    }

    [Fact]
    public void Without_it_the_class_is_what_it_was()
    {
        Assert.DoesNotContain("VariantChoice", GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsWithVariants())).SingleSource);
        Assert.Equal(
            GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsWithVariants())).SingleSource,
            GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsVariantChoice("null"))).SingleSource);
    }

    [Fact]
    public void Without_variants_there_is_nothing_to_choose()
    {
        string compiledOnly = Manifests.DigitsCompiled().Replace("\"notCompiled\": []",
            $$"""
            "notCompiled": [], "variantChoice": { "variant": "int8", "machine": "{{Machine}}", "timedAt": "[1,1,8,8]" }
            """);

        Assert.DoesNotContain("VariantChoice", GeneratorHarness.Run(Source, (Manifests.DigitsPath, compiledOnly)).SingleSource);
    }

    [Theory]
    [InlineData("""{ "variant": "int 8", "machine": "AVX2", "timedAt": "[1,64]" }""", "\"variantChoice.variant\" must be")]
    [InlineData("""{ "variant": "int8", "machine": "AVX2 (fast)", "timedAt": "[1,64]" }""", "\"variantChoice.machine\" must be")]
    [InlineData("""{ "variant": "int8", "machine": "", "timedAt": "[1,64]" }""", "\"variantChoice.machine\" must be")]
    [InlineData("""{ "variant": "int8", "machine": "AVX2", "timedAt": "input [1,64]" }""", "\"variantChoice.timedAt\" must be")]
    [InlineData("""{ "variant": 8, "machine": "AVX2", "timedAt": "[1,64]" }""", "\"variant\" must be a string")]
    [InlineData("""{ "machine": "AVX2", "timedAt": "[1,64]" }""", "missing required property \"variant\"")]
    [InlineData("\"int8\"", "\"variantChoice\" must be an object or null")]
    public void A_malformed_choice_is_refused(string choice, string problem)
    {
        ManifestFile file = ManifestParser.Parse("d", Manifests.DigitsVariantChoice(choice));

        Assert.Equal(ManifestProblem.Malformed, file.Problem);
        Assert.Contains(problem, file.ProblemDetail);
    }
}
