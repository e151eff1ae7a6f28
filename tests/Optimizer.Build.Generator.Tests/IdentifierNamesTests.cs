using Optimizer.Build.Generator.Emitter;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

public class IdentifierNamesTests
{
    [Theory]
    [InlineData("onnx::Flatten_0", "OnnxFlatten0")]
    [InlineData("x.1", "X1")]
    [InlineData("39", "Value39")]
    [InlineData("input_ids", "InputIds")]
    [InlineData("logits", "Logits")]
    [InlineData("conv1/weight:0", "Conv1Weight0")]
    [InlineData("::", "Value")]
    [InlineData("", "Value")]
    [InlineData("class", "Class")]
    [InlineData("größe", "Größe")]
    [InlineData("RGB_in", "RGBIn")]
    public void Onnx_names_become_pascal_case_identifiers(string onnxName, string identifier)
    {
        Assert.Equal(identifier, IdentifierNames.ToPascalCase(onnxName));
    }

    [Fact]
    public void A_name_like_the_enclosing_type_gets_a_suffix()
    {
        Assert.Equal(["InputValue", "Mask"], IdentifierNames.PropertyNames(["input", "mask"], "Input"));
    }

    [Fact]
    public void Object_members_are_not_hidden()
    {
        Assert.Equal(["ToStringValue", "GetTypeValue"], IdentifierNames.PropertyNames(["to_string", "GetType"], "Output"));
    }

    [Fact]
    public void Colliding_names_are_numbered_in_graph_order()
    {
        Assert.Equal(["XY", "XY2", "XY3", "Input2Value"], IdentifierNames.PropertyNames(["x.y", "x_y", "x::y", "Input2Value"], "Input"));
        Assert.Equal(["InputValue", "InputValue2"], IdentifierNames.PropertyNames(["input", "input_value"], "Input"));
    }

    [Theory]
    [InlineData("Class", "@class")]
    [InlineData("Value39", "value39")]
    [InlineData("OnnxFlatten0", "onnxFlatten0")]
    [InlineData("Var", "@var")]
    public void Parameter_names_are_camel_case_and_keyword_safe(string property, string parameter)
    {
        Assert.Equal(parameter, IdentifierNames.ToParameterName(property));
    }

    [Fact]
    public void Awkward_names_compile_in_generated_code()
    {
        string[] names = ["input", "Input", "class", "39", "x.1", "x_1", "onnx::Flatten_0", "ToString", "__guard", "Metadata", "Run", "int", "@", "a&b<c>"];
        string inputs = string.Join(", ", names.Select(n => Manifests.Tensor(n, "float32", "[1]")));
        string outputs = string.Join(", ", names.Select(n => Manifests.Tensor(n + "_out", "int64", "[1]")).Append(Manifests.Tensor("output", "bool", "[1]")));

        GeneratorRun run = GeneratorHarness.Run("""
            namespace Weird;
            [Optimizer.Runtime.OnnxModel("w.onnx")]
            partial class Names { }
            """, ("w.model.json", Manifests.With("Weird.Names", "w.onnx", inputs, outputs)));

        run.AssertCompilesCleanly();
        Assert.Contains("public global::Optimizer.Runtime.ModelTensor<float> InputValue { get; }", run.SingleSource);
        Assert.Contains("public global::Optimizer.Runtime.ModelTensor<float> InputValue2 { get; }", run.SingleSource);
        Assert.Contains("public global::Optimizer.Runtime.ModelTensor<bool> OutputValue { get; }", run.SingleSource);
        Assert.Contains("Model tensor <c>a&amp;b&lt;c&gt;</c>", run.SingleSource);
    }

    [Fact]
    public void Any_name_becomes_a_valid_identifier_and_parameters_never_shadow_their_property()
    {
        string[] names =
        [
            "", " ", "_", "__", "9", "0abc", "class", "@class", "int", "value", "var", "\u0000", "\n", "\u2028", "\u202e", "\ufeff", "\ud800",
            "\u0301x", "\u203fx", "\u0660\u0661", "中文", "中文x", "K", "k", "\u212a", "\u01c5x", "ǅ", "ß", "İ", "ı", "Σ", "σ", "ς", "🙂", "a🙂b",
            "x.1", "x_1", "x::1", "Input", "Output", "Metadata", "Equals", "ToString",
        ];
        names = [.. names, .. HostileManifests.Payloads()];

        string[] properties = IdentifierNames.PropertyNames(names, "Input");
        string[] parameters = IdentifierNames.ParameterNames(properties);

        Assert.Equal(properties.Length, properties.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(parameters.Length, parameters.Distinct(StringComparer.Ordinal).Count());
        foreach (string property in properties)
        {
            Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(property), $"'{property}' is not an identifier");
            Assert.Equal(Microsoft.CodeAnalysis.CSharp.SyntaxKind.None, Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(property));
            Assert.NotEqual("Input", property);
        }

        foreach (string parameter in parameters)
        {
            Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(parameter.TrimStart('@')), $"'{parameter}' is not an identifier");
            Assert.DoesNotContain(parameter.TrimStart('@'), properties);
        }
    }

    [Fact]
    public void Names_without_case_or_that_lower_case_alike_compile_as_parameters()
    {
        string inputs = string.Join(", ", new[] { "中文", "K", "\u212a", "k" }.Select(n => Manifests.Tensor(n, "float32", "[1]")));

        GeneratorRun run = GeneratorHarness.Run("""
            namespace Weird;
            [Optimizer.Runtime.OnnxModel("w.onnx")]
            partial class Cases { }
            """, ("w.model.json", Manifests.With("Weird.Cases", "w.onnx", inputs, Manifests.Tensor("y", "float32", "[1]"))));

        run.AssertCompilesCleanly();
        Assert.Contains("中文 = 中文Value;", run.SingleSource);
    }
}
