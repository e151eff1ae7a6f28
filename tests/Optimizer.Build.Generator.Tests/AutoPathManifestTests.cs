using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// <c>execution.auto</c> (the build timed the compiled kernels faster) reaches <c>ModelMetadata.AutoPath</c>;
/// its fields are tokens, so anything else makes the manifest malformed rather than reach generated code.
/// </summary>
public class AutoPathManifestTests
{
    private const string Source = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
        public partial class DigitClassifier;
        """;

    [Fact]
    public void The_decision_is_read_with_its_machine_and_shapes()
    {
        ModelManifest manifest = ManifestParser.Parse("d", Manifests.DigitsAutoCompiled()).Manifest!;

        Assert.Equal(new AutoPathInfo("AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256", "[1,64]", null), manifest.AutoPath);
        Assert.Null(ManifestParser.Parse("d", Manifests.DigitsCompiled()).Manifest!.AutoPath);
        Assert.NotEqual(manifest, ManifestParser.Parse("d", Manifests.DigitsCompiled()).Manifest); // a changed decision regenerates
    }

    [Fact]
    public void The_generated_metadata_carries_it_and_compiles()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsAutoCompiled()));

        run.AssertCompilesCleanly();
        Assert.Contains(
            "    AutoPath = new global::Optimizer.Runtime.AutoPathChoice(\"AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256\", \"[1,64]\", null),",
            run.SingleSource);
    }

    [Fact]
    public void Without_it_the_class_is_what_it_was()
    {
        string withNull = Manifests.DigitsAutoCompiled("null");

        Assert.DoesNotContain("AutoPath", GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsCompiled())).SingleSource);
        Assert.Equal(
            GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.DigitsCompiled())).SingleSource,
            GeneratorHarness.Run(Source, (Manifests.DigitsPath, withNull)).SingleSource);
    }

    [Theory]
    [InlineData("""{ "path": "OnnxRuntime", "machine": "AVX2", "timedAt": "[1,64]", "variant": null }""", "\"auto.path\" must be Compiled")]
    [InlineData("""{ "path": "Compiled", "machine": "AVX2 (fast)", "timedAt": "[1,64]", "variant": null }""", "\"auto.machine\" must be")]
    [InlineData("""{ "path": "Compiled", "machine": "", "timedAt": "[1,64]", "variant": null }""", "\"auto.machine\" must be")]
    [InlineData("""{ "path": "Compiled", "machine": "AVX2", "timedAt": "input [1,64]", "variant": null }""", "\"auto.timedAt\" must be")]
    [InlineData("""{ "path": "Compiled", "machine": "AVX2", "timedAt": 64, "variant": null }""", "\"timedAt\" must be a string")]
    [InlineData("""{ "path": "Compiled", "machine": "AVX2", "timedAt": "[1,64]", "variant": "fp 32" }""", "\"auto.variant\" must be")]
    [InlineData("""{ "path": "Compiled", "timedAt": "[1,64]" }""", "missing required property \"machine\"")]
    [InlineData("\"Compiled\"", "\"auto\" must be an object or null")]
    public void A_malformed_decision_is_refused(string auto, string problem)
    {
        ManifestFile file = ManifestParser.Parse("d", Manifests.DigitsAutoCompiled(auto));

        Assert.Equal(ManifestProblem.Malformed, file.Problem);
        Assert.Contains(problem, file.ProblemDetail);
    }
}
