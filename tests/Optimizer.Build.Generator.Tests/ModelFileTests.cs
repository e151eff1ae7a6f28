using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// A model the build stores as files beside the app: the task sets the manifest item's
/// <c>OptimizerModelFile</c> metadata, the generator writes it as <c>ModelMetadata.ModelFile</c>, and a
/// path that is not relative file names ending in <c>.onnx</c> is refused (OPT2005), never emitted.
/// </summary>
public class ModelFileTests
{
    private const string Source = """
        using Optimizer.Runtime;

        namespace Sample;

        [OnnxModel("Models/digits.onnx")]
        public partial class DigitClassifier;
        """;

    private const string ManifestPath = "/app/obj/Debug/net10.0/optimizer/Sample.DigitClassifier.model.json";

    private static GeneratorRun Run(string manifest, string modelFile) =>
        ManifestItemMetadata.Run(Source, ManifestPath, manifest, ("OptimizerModelFile", modelFile));

    [Fact]
    public void A_stored_model_gets_its_file_in_the_metadata_and_the_typed_api_is_unchanged()
    {
        GeneratorRun stored = Run(Manifests.Digits(), "models/Sample.DigitClassifier.onnx");
        GeneratorRun embedded = GeneratorHarness.Run(Source, (Manifests.DigitsPath, Manifests.Digits()));

        stored.AssertCompilesCleanly();
        Assert.Matches("""\n\s+ModelFile = "models/Sample.DigitClassifier.onnx",\n""", stored.SingleSource);
        Assert.Contains("stored beside the app and creates its ONNX Runtime session", stored.SingleSource);
        Assert.DoesNotContain("ModelFile", embedded.SingleSource);
        // The same class otherwise: only the metadata's initializer and the summary's wording differ.
        string withoutModelFile = Regex.Replace(stored.SingleSource, """\)\n\s*\{\n\s*ModelFile = "[^"]*",\n\s*\};""", ");");
        Assert.Equal(embedded.SingleSource.Replace("embedded in this assembly", "stored beside the app"), withoutModelFile);
    }

    [Fact]
    public void A_stored_compiled_model_names_its_file_before_its_program()
    {
        GeneratorRun run = Run(Manifests.DigitsCompiled(), "models/Sample.DigitClassifier.onnx");

        run.AssertCompilesCleanly();
        string source = run.SingleSource;
        Assert.True(source.IndexOf("ModelFile = ", StringComparison.Ordinal) < source.IndexOf("ProgramResourceName = ", StringComparison.Ordinal));
        Assert.Contains("the compiled C# kernels stored beside it", source);
    }

    [Theory]
    [InlineData("Sample.DigitClassifier.onnx")]
    [InlineData("models/Mon modèle (v2).onnx")]
    [InlineData("a/b/c/x.y.onnx")]
    public void Relative_file_names_are_emitted_as_literals(string modelFile)
    {
        GeneratorRun run = Run(Manifests.Digits(), modelFile);

        run.AssertCompilesCleanly();
        Assert.Contains($"ModelFile = {Emitter.SourceText.Literal(modelFile)},", run.SingleSource);
    }

    [Theory]
    [InlineData("../secrets/x.onnx")]
    [InlineData("models/../../x.onnx")]
    [InlineData("/etc/x.onnx")]
    [InlineData("C:/models/x.onnx")]
    [InlineData("models\\x.onnx")]
    [InlineData("models//x.onnx")]
    [InlineData("./x.onnx")]
    [InlineData("models/x.kernels")]
    [InlineData("models/x\".onnx")]
    [InlineData("models/x\\\"; static void Pwn() { } //.onnx")]
    [InlineData("models/a;b.onnx")]
    [InlineData("models/x\u2028.onnx")]
    public void A_hostile_model_file_is_refused_and_never_emitted(string modelFile)
    {
        GeneratorRun run = Run(Manifests.Digits(), modelFile);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("OPT2005", diagnostic.Id);
        Assert.Contains("OptimizerModelFile", diagnostic.GetMessage());
        Assert.DoesNotContain(run.Result.GeneratedTrees, tree => tree.ToString().Contains("ModelFile", StringComparison.Ordinal));
    }
}
