using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>An edit that does not touch a model class or manifest must not redo any of the generator's work.</summary>
public class IncrementalityTests
{
    private const string ModelSource = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
        public partial class DigitClassifier;
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_unrelated_source_edit_leaves_every_step_cached_or_unchanged(bool withKernelSchedule)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(ModelSource, "class Unrelated { int a = 1; }");
        string manifest = withKernelSchedule ? Manifests.DigitsCompiled() : Manifests.Digits();
        GeneratorDriver driver = GeneratorHarness.CreateDriver((Manifests.DigitsPath, manifest)).RunGenerators(compilation);

        SyntaxTree unrelated = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            unrelated, CSharpSyntaxTree.ParseText("class Unrelated { int a = 2; int b = 3; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.ModelClasses, TrackingNames.Manifests, TrackingNames.AllManifests, TrackingNames.Results })
        {
            var outputs = second.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {step} output was {output.Reason}"));
        }

        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"source output was {output.Reason}"));
    }

    [Fact]
    public void Editing_the_model_class_file_without_changing_it_keeps_the_result_unchanged()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(ModelSource);
        GeneratorDriver driver = GeneratorHarness.CreateDriver((Manifests.DigitsPath, Manifests.Digits())).RunGenerators(compilation);

        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            tree, CSharpSyntaxTree.ParseText(ModelSource + "\n// a comment", GeneratorHarness.ParseOptions, tree.FilePath));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.All(second.TrackedSteps[TrackingNames.Results].SelectMany(s => s.Outputs), output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"result was {output.Reason}"));
    }

    [Fact]
    public void Changing_the_manifest_regenerates()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(ModelSource);
        var original = new InMemoryAdditionalText(Manifests.DigitsPath, Manifests.Digits());
        GeneratorDriver driver = GeneratorHarness.CreateDriver().AddAdditionalTexts([original]).RunGenerators(compilation);

        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText(Manifests.DigitsPath, Manifests.Digits().Replace("\"logits\"", "\"scores\"")));
        GeneratorDriverRunResult second = driver.RunGenerators(compilation).GetRunResult();

        Assert.Equal(IncrementalStepRunReason.Modified, second.Results.Single().TrackedSteps[TrackingNames.Results].Single().Outputs.Single().Reason);
        Assert.Contains("Scores", second.GeneratedTrees.Single().GetText().ToString());
    }
}
