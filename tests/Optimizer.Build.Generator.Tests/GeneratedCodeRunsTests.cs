using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Optimizer.Build.Generator.Tests.Harness;
using Optimizer.Runtime;
using Optimizer.Tests.Shared;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// Compiles the generated digits class into an assembly with the real model embedded, loads it,
/// and runs it: the generated code works against the real runtime, not just compiles.
/// </summary>
public class GeneratedCodeRunsTests
{
    // The build copies it from ../shared/data/models beside the repository when that is present.
    private static readonly string ModelFile = Path.Combine(AppContext.BaseDirectory, "models", "digits_mlp.onnx");

    [ConditionalFact("data/models/digits_mlp.onnx")]
    public void Generated_digits_class_runs_the_embedded_model()
    {
        GeneratorRun run = GeneratorHarness.Run(
            "namespace Sample; [Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\")] public partial class DigitClassifier;",
            (Manifests.DigitsPath, Manifests.Digits()));
        run.AssertCompilesCleanly();

        using var image = new MemoryStream();
        EmitResult emitted = run.Output.Emit(
            image,
            manifestResources: [new ResourceDescription("Optimizer.Build.Sample.DigitClassifier.onnx", () => File.OpenRead(ModelFile), isPublic: true)]);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        Type classifier = new AssemblyLoadContext("generated-digits").LoadFromStream(image).GetType("Sample.DigitClassifier", throwOnError: true)!;

        using var model = (OnnxModelBase)Activator.CreateInstance(classifier, [null])!;
        object input = Activator.CreateInstance(classifier.GetNestedType("Input")!, ModelTensor<float>.Zeros(3, 1, 8, 8))!;
        object output = classifier.GetMethod("Run", [input.GetType()])!.Invoke(model, [input])!;
        var logits = (ModelTensor<float>)output.GetType().GetProperty("Logits")!.GetValue(output)!;

        Assert.Equal(new[] { 3, 10 }, logits.Shape.ToArray());
        Assert.Equal("CPUExecutionProvider", model.ExecutionProvider);

        var badShape = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(classifier.GetNestedType("Input")!, ModelTensor<float>.Zeros(3, 64)));
        Assert.IsType<TensorShapeException>(badShape.InnerException);
        Assert.Contains("Model 'Sample.DigitClassifier' input 'input' expects shape [batch, 1, 8, 8] but got [3, 64]", badShape.InnerException!.Message);
    }
}
