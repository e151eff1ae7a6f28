using Microsoft.CodeAnalysis;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>Each OPT2xxx diagnostic: its id, its message, and that it points at the [OnnxModel] attribute.</summary>
public class DiagnosticTests
{
    private const string Digits = """
        namespace Sample;
        [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
        public partial class DigitClassifier;
        """;

    [Fact]
    public void OPT2001_model_not_found_in_manifests()
    {
        Diagnostic diagnostic = SingleDiagnostic(Digits);

        Assert.Equal("OPT2001", diagnostic.Id);
        Assert.Equal(
            "No optimized model for 'Models/digits.onnx' (class 'Sample.DigitClassifier'): the build step that optimizes it did not run or wrote no manifest; check the OnnxModel path, then build the project",
            diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, Digits);
    }

    [Fact]
    public void OPT2002_class_not_partial()
    {
        string source = Digits.Replace("public partial class DigitClassifier;", "public class DigitClassifier { }");

        Diagnostic diagnostic = SingleDiagnostic(source, (Manifests.DigitsPath, Manifests.Digits()));

        Assert.Equal("OPT2002", diagnostic.Id);
        Assert.Contains("'Sample.DigitClassifier' has [OnnxModel] but is not partial; declare it 'partial'", diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, source);
    }

    [Fact]
    public void OPT2003_containing_type_not_partial()
    {
        string source = """
            namespace Sample;
            public class Outer
            {
                [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
                public partial class DigitClassifier;
            }
            """;

        Diagnostic diagnostic = SingleDiagnostic(source, (Manifests.DigitsPath, Manifests.Digits("Sample.Outer.DigitClassifier")));

        Assert.Equal("OPT2003", diagnostic.Id);
        Assert.Contains("'Sample.Outer.DigitClassifier' is nested in 'Outer', which is not partial", diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, source);
    }

    [Theory]
    [InlineData("""{ "name": "seq", "elementType": "unsupported", "kind": "sequence", "shape": null }""", "input 'seq' is a sequence")]
    [InlineData("""{ "name": "b", "elementType": "bfloat16", "shape": [1] }""", "input 'b' is a tensor of bfloat16")]
    [InlineData("""{ "name": "c", "elementType": "complex64", "shape": [1] }""", "input 'c' is a tensor of complex64")]
    public void OPT2004_unsupported_element_type_or_value_kind(string input, string expected)
    {
        string manifest = Manifests.With("Sample.DigitClassifier", "Models/digits.onnx", input, Manifests.Tensor("y", "float32", "[1]"));

        Diagnostic diagnostic = SingleDiagnostic(Digits, ("d.model.json", manifest));

        Assert.Equal("OPT2004", diagnostic.Id);
        Assert.Contains($"Model 'Models/digits.onnx' {expected}, which generated classes cannot pass", diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, Digits);
    }

    [Fact]
    public void OPT2005_malformed_manifest_names_the_file_and_the_problem()
    {
        string manifest = Manifests.Digits().Replace("\"shape\": [\"batch\", 10]", "\"shape\": [\"batch\", -10]");

        Diagnostic diagnostic = SingleDiagnostic(Digits, (Manifests.DigitsPath, manifest));

        Assert.Equal("OPT2005", diagnostic.Id);
        Assert.Contains($"The manifest '{Manifests.DigitsPath}' for 'Models/digits.onnx' cannot be read (line 12, column 81: a shape dimension must be a non-negative integer, a non-empty string or null, not -10)", diagnostic.GetMessage());
        Assert.Contains("delete the project's obj/ folder and build again", diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, Digits);
    }

    [Fact]
    public void OPT2005_is_reported_for_a_manifest_too_broken_to_identify()
    {
        Diagnostic diagnostic = SingleDiagnostic(Digits, ("broken.model.json", "{ \"formatVersion\": 1, "));

        Assert.Equal("OPT2005", diagnostic.Id);
        Assert.Contains("'broken.model.json'", diagnostic.GetMessage());
        Assert.Contains("line 1, column 23: expected a property name in double quotes", diagnostic.GetMessage());
    }

    [Fact]
    public void OPT2006_unsupported_format_version()
    {
        string manifest = Manifests.Digits().Replace("\"formatVersion\": 1", "\"formatVersion\": 2");

        Diagnostic diagnostic = SingleDiagnostic(Digits, (Manifests.DigitsPath, manifest));

        Assert.Equal("OPT2006", diagnostic.Id);
        Assert.Contains("has formatVersion 2 but this generator reads version 1; use the same Optimizer.Build package version", diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, Digits);
    }

    [Theory]
    [InlineData("public static partial class DigitClassifier { }", "static")]
    [InlineData("public partial record DigitClassifier;", "a record")]
    public void OPT2007_static_or_record_class(string declaration, string what)
    {
        string source = Digits.Replace("public partial class DigitClassifier;", declaration);

        Diagnostic diagnostic = SingleDiagnostic(source, (Manifests.DigitsPath, Manifests.Digits()));

        Assert.Equal("OPT2007", diagnostic.Id);
        Assert.Contains($"but is {what}", diagnostic.GetMessage());
    }

    [Fact]
    public void OPT2008_path_is_not_a_constant_string()
    {
        string source = Digits.Replace("\"Models/digits.onnx\"", "\"\"");

        Diagnostic diagnostic = SingleDiagnostic(source, (Manifests.DigitsPath, Manifests.Digits()));

        Assert.Equal("OPT2008", diagnostic.Id);
        AssertAtAttribute(diagnostic, source);
    }

    [Theory]
    [InlineData("Input")]
    [InlineData("Run")]
    public void OPT2009_class_named_like_a_generated_member(string name)
    {
        string source = Digits.Replace("DigitClassifier", name);

        Diagnostic diagnostic = SingleDiagnostic(source, (Manifests.DigitsPath, Manifests.Digits("Sample." + name)));

        Assert.Equal("OPT2009", diagnostic.Id);
        Assert.Contains($"cannot be named '{name}'", diagnostic.GetMessage());
        AssertAtAttribute(diagnostic, source);
    }

    [Fact]
    public void Every_diagnostic_is_an_error_with_an_OPT2_code()
    {
        foreach (string id in new[] { "OPT2001", "OPT2002", "OPT2003", "OPT2004", "OPT2005", "OPT2006", "OPT2007", "OPT2008", "OPT2009" })
        {
            DiagnosticDescriptor descriptor = Diagnostics.DiagnosticDescriptors.ById(id);
            Assert.Equal(id, descriptor.Id);
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
        }
    }

    private static Diagnostic SingleDiagnostic(string source, params (string Path, string Text)[] manifests)
    {
        GeneratorRun run = GeneratorHarness.Run(source, manifests);
        Assert.Empty(run.Result.GeneratedTrees);
        return Assert.Single(run.GeneratorDiagnostics);
    }

    private static void AssertAtAttribute(Diagnostic diagnostic, string source)
    {
        string located = source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        Assert.StartsWith("Optimizer.Runtime.OnnxModel(", located);
    }
}
