using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// Classes no <c>[OnnxModel]</c> declares: an <c>&lt;OnnxModel ClassName="..."&gt;</c> item's class
/// and every class of a model declared twice with the same passes (OPT1011): the task names them in
/// the manifest item's <c>OptimizerClassNames</c> metadata.
/// </summary>
public class ItemClassTests
{
    private const string ItemManifestPath = "/app/obj/Debug/net10.0/optimizer/MyApp.Models.Digits.model.json";
    private const string SharedManifestPath = "/app/obj/Debug/net10.0/optimizer/Sample.DigitClassifier.model.json";

    [Fact]
    public void An_item_ClassName_generates_that_class()
    {
        const string usage = """
            class Use
            {
                static MyApp.Models.Digits.Output Run(MyApp.Models.Digits model, float[] pixels) =>
                    model.Run(new MyApp.Models.Digits.Input(new global::Optimizer.Runtime.ModelTensor<float>(pixels, 1, 1, 8, 8)));
            }
            """;

        GeneratorRun run = RunWithClassNames(usage, ItemManifestPath, Manifests.Digits(className: "MyApp.Models.Digits"), "MyApp.Models.Digits");

        run.AssertCompilesCleanly();
        Assert.Contains("namespace MyApp.Models", run.SingleSource);
        Assert.Contains("partial class Digits : global::Optimizer.Runtime.OnnxModelBase", run.SingleSource);
    }

    [Fact]
    public void An_item_ClassName_completes_a_partial_class_that_has_pass_attributes_only()
    {
        const string source = """
            namespace MyApp.Models;
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            public partial class Digits { public string Label => "digits"; }
            class Use { static object Make() => new Digits().Label + Digits.Metadata.Name; }
            """;

        GeneratorRun run = RunWithClassNames(source, ItemManifestPath, Manifests.Digits(className: "MyApp.Models.Digits"), "MyApp.Models.Digits");

        run.AssertCompilesCleanly();
    }

    [Fact]
    public void A_ClassName_that_is_no_type_name_is_reported_and_generates_nothing()
    {
        GeneratorRun run = RunWithClassNames("class Empty { }", ItemManifestPath, Manifests.Digits(className: "my-digits"), "my-digits");

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("OPT2011", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("'my-digits'", diagnostic.GetMessage());
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void A_manifest_the_build_named_no_class_for_generates_none()
    {
        GeneratorRun bare = GeneratorHarness.Run("class Empty { }", ("digits.model.json", Manifests.Digits(className: "")));
        GeneratorRun unclaimed = GeneratorHarness.Run("class Empty { }", (ItemManifestPath, Manifests.Digits(className: "MyApp.Models.Digits")));

        Assert.Empty(bare.GeneratorDiagnostics);
        Assert.Empty(bare.Result.GeneratedTrees);
        Assert.Empty(unclaimed.GeneratorDiagnostics);
        Assert.Empty(unclaimed.Result.GeneratedTrees);
    }

    [Fact]
    public void Every_class_a_shared_manifest_names_gets_the_same_model()
    {
        const string source = """
            namespace Sample;
            [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            public partial class DigitClassifier;

            [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            public partial class SameDigits;
            """;

        GeneratorRun run = RunWithClassNames(source, SharedManifestPath, Manifests.Digits(), "Sample.DigitClassifier,Sample.SameDigits,MyApp.ItemDigits");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationErrors.IsEmpty, string.Join("\n", run.CompilationErrors));
        string[] classes = run.Result.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).Order().ToArray();
        Assert.Equal(["MyApp.ItemDigits.OnnxModel.g.cs", "Sample.DigitClassifier.OnnxModel.g.cs", "Sample.SameDigits.OnnxModel.g.cs"], classes);
        // One embedded model: every class loads the resource the manifest names.
        Assert.All(run.Result.GeneratedTrees, tree => Assert.Contains("\"Optimizer.Build.Sample.DigitClassifier.onnx\"", tree.GetText().ToString()));
    }

    [Fact]
    public void Classes_in_the_global_namespace_share_an_item_classes_manifest()
    {
        const string source = """
            [Optimizer.Runtime.OnnxModel("digits_mlp.onnx")]
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            partial class Digits;

            [Optimizer.Runtime.OnnxModel("digits_mlp.onnx")]
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            partial class SameDigits;
            """;

        GeneratorRun run = RunWithClassNames(source, ItemManifestPath, Manifests.Digits(className: "App.Models.ItemDigits", modelPath: "digits_mlp.onnx"),
            "App.Models.ItemDigits,Digits,SameDigits");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(3, run.Result.GeneratedTrees.Length);
    }

    private static GeneratorRun RunWithClassNames(string source, string manifestPath, string manifest, string classNames) =>
        ManifestItemMetadata.Run(source, manifestPath, manifest, ("OptimizerClassNames", classNames));
}
