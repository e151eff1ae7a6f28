using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser;
using Optimizer.Build.Generator.Tests.Harness;
using Optimizer.Runtime;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// The manifest's input <c>range</c> (issue 17) reaches the generated metadata as a number literal
/// (<see cref="TensorMetadata.CalibratedRange"/>) with exactly the manifest's value, and anything but
/// two finite numbers with min ≤ max makes the manifest malformed: only numbers reach the code.
/// </summary>
public class InputRangeTests
{
    private static string WithRange(string range) => Manifests.With(
        "Sample.Ranged", "Models/ranged.onnx",
        $$"""{ "name": "input", "elementType": "float32", "shape": ["batch", 64], "range": {{range}} }""",
        Manifests.Tensor("logits", "float32", """["batch", 10]"""));

    [Fact]
    public void A_range_is_read_as_two_numbers()
    {
        ModelManifest manifest = ManifestParser.Parse("m", WithRange("""{ "min": -0.00196078, "max": 1.0019608, "source": "quantizer" }""")).Manifest!;

        Assert.Equal(new InputRange(-0.00196078, 1.0019608), manifest.Inputs[0].Range);
        Assert.Null(manifest.Outputs[0].Range);
        Assert.Null(ManifestParser.Parse("m", WithRange("null")).Manifest!.Inputs[0].Range);
    }

    [Theory]
    [InlineData("""{ "min": 2, "max": 1 }""", "\"range\" has \"min\" greater than \"max\"")]
    [InlineData("""{ "min": "0", "max": 1 }""", "\"min\" must be a number, not a string")]
    [InlineData("""{ "min": 0, "max": 1e999 }""", "\"max\" must be a finite number, not 1e999")]
    [InlineData("""{ "max": 1 }""", "missing required property \"min\"")]
    [InlineData("[0, 1]", "\"range\" must be an object or null, not an array")]
    public void Anything_but_two_finite_ordered_numbers_is_malformed(string range, string problem)
    {
        ManifestFile file = ManifestParser.Parse("m", WithRange(range));

        Assert.Equal(ManifestProblem.Malformed, file.Problem);
        Assert.Contains(problem, file.ProblemDetail);
    }

    [Fact]
    public void The_generated_metadata_carries_the_exact_range()
    {
        GeneratorRun run = GeneratorHarness.Run(
            "namespace Sample; [Optimizer.Runtime.OnnxModel(\"Models/ranged.onnx\")] public partial class Ranged;",
            ("obj/optimizer/Sample.Ranged.model.json", WithRange("""{ "min": -0.0019607844, "max": 1.0019608, "source": "quantizer" }""")));
        run.AssertCompilesCleanly();
        Assert.Contains("{ CalibratedRange = new global::Optimizer.Runtime.ValueRange(-0.0019607844d, 1.0019608d) }", run.SingleSource);

        using var image = new MemoryStream();
        EmitResult emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        Type ranged = new AssemblyLoadContext("generated-ranged").LoadFromStream(image).GetType("Sample.Ranged", throwOnError: true)!;
        var metadata = (ModelMetadata)ranged.GetProperty("Metadata", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        Assert.Equal(new ValueRange(-0.0019607844, 1.0019608), metadata.Inputs[0].CalibratedRange);
        Assert.Null(metadata.Outputs[0].CalibratedRange);
    }
}
