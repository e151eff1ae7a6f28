using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser;
using Optimizer.Build.Generator.Parser.Json;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

public class ManifestParserTests
{
    [Fact]
    public void Reads_the_contract_example()
    {
        ManifestFile file = ManifestParser.Parse("d.model.json", Manifests.Digits());

        Assert.Equal(ManifestProblem.None, file.Problem);
        ModelManifest manifest = file.Manifest!;
        Assert.Equal("Sample.DigitClassifier", manifest.ClassName);
        Assert.Equal("Models/digits.onnx", manifest.ModelPath);
        Assert.Equal("Optimizer.Build.Sample.DigitClassifier.onnx", manifest.ResourceName);
        TensorSignature input = Assert.Single(manifest.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal("float32", input.ElementType);
        Assert.Equal([new ShapeDimension(null, "batch"), new ShapeDimension(1, null), new ShapeDimension(8, null), new ShapeDimension(8, null)], input.Shape!.Value);
    }

    [Fact]
    public void Equal_text_gives_equal_models()
    {
        Assert.Equal(ManifestParser.Parse("a", Manifests.Digits()), ManifestParser.Parse("a", Manifests.Digits()));
        Assert.NotEqual(ManifestParser.Parse("a", Manifests.Digits()), ManifestParser.Parse("a", Manifests.Digits(modelPath: "x.onnx")));
    }

    [Fact]
    public void Null_shape_means_unknown_rank_and_null_dimension_means_unknown_size()
    {
        string text = Manifests.With("C", "m.onnx", Manifests.Tensor("a", "float32", "null"), Manifests.Tensor("b", "float32", "[null, 0]"));

        ModelManifest manifest = ManifestParser.Parse("m", text).Manifest!;

        Assert.Null(manifest.Inputs[0].Shape);
        Assert.Equal([new ShapeDimension(null, null), new ShapeDimension(0, null)], manifest.Outputs[0].Shape!.Value);
    }

    [Theory]
    [InlineData("""{ "formatVersion": 1 """, "unexpected end of input")]
    [InlineData("[]", "the manifest must be a JSON object")]
    [InlineData("""{ "formatVersion": "1" }""", "\"formatVersion\" must be a number, not a string")]
    [InlineData("""{ "formatVersion": 1.5 }""", "\"formatVersion\" must be an integer, not 1.5")]
    [InlineData("""{ "formatVersion": 1 }""", "missing required property \"name\"")]
    public void Reports_what_is_wrong_and_where(string text, string problem)
    {
        ManifestFile file = ManifestParser.Parse("bad.model.json", text);

        Assert.Equal(ManifestProblem.Malformed, file.Problem);
        Assert.Contains(problem, file.ProblemDetail);
        Assert.StartsWith("line 1, column ", file.ProblemDetail);
    }

    [Fact]
    public void Rejects_duplicate_tensor_names_and_a_missing_shape()
    {
        string duplicate = Manifests.With("C", "m.onnx", Manifests.Tensor("a", "float32", "[1]") + "," + Manifests.Tensor("a", "float32", "[1]"), "");
        string missingShape = Manifests.With("C", "m.onnx", """{ "name": "a", "elementType": "float32" }""", "");

        Assert.Contains("\"inputs\" lists \"a\" twice", ManifestParser.Parse("m", duplicate).ProblemDetail);
        Assert.Contains("missing required property \"shape\"", ManifestParser.Parse("m", missingShape).ProblemDetail);
    }

    [Fact]
    public void Keeps_the_identity_of_a_manifest_it_cannot_read_fully()
    {
        ManifestFile file = ManifestParser.Parse("m", """{ "formatVersion": 1, "className": "A.B", "modelPath": "m.onnx" }""");

        Assert.Equal(ManifestProblem.Malformed, file.Problem);
        Assert.Equal("A.B", file.ClassName);
        Assert.Equal("m.onnx", file.ModelPath);
    }

    [Fact]
    public void A_newer_format_version_is_reported_without_reading_further()
    {
        ManifestFile file = ManifestParser.Parse("m", """{ "formatVersion": 7, "className": "A.B", "somethingNew": {} }""");

        Assert.Equal(ManifestProblem.UnsupportedFormatVersion, file.Problem);
        Assert.Equal(7, file.FormatVersion);
        Assert.Equal("A.B", file.ClassName);
    }
}

public class JsonReaderTests
{
    [Theory]
    [InlineData("""{"a": [1, -2.5e3, 0, true, false, null, "x"]}""")]
    [InlineData(""" "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00" """)]
    [InlineData("-0")]
    [InlineData("  \r\n {}\n ")]
    public void Accepts_valid_json(string text)
    {
        Assert.NotNull(JsonReader.Parse(text));
    }

    [Fact]
    public void Decodes_escapes()
    {
        var value = (JsonString)JsonReader.Parse(""" "a\"b\\c\u0041\n" """);

        Assert.Equal("a\"b\\cA\n", value.Value);
    }

    [Theory]
    [InlineData("{\"a\": 1,}", "expected a property name")]
    [InlineData("[1, 2,]", "unexpected character ']'")]
    [InlineData("{'a': 1}", "expected a property name")]
    [InlineData("{\"a\": 1} x", "unexpected content after the end")]
    [InlineData("{\"a\": 1, \"a\": 2}", "duplicate property \"a\"")]
    [InlineData("01", "leading zeros")]
    [InlineData("1.", "expected a digit after the decimal point")]
    [InlineData("\"tab\there\"", "control character U+0009")]
    [InlineData("\"\\x\"", "invalid escape sequence")]
    [InlineData("\"\\u12G4\"", "is not four hex digits")]
    [InlineData("// comment\n{}", "unexpected character '/'")]
    [InlineData("tru", "expected a value")]
    [InlineData("", "unexpected end of input")]
    [InlineData("\"open", "unterminated string")]
    public void Rejects_invalid_json_with_a_position(string text, string problem)
    {
        var ex = Assert.Throws<JsonFormatException>(() => JsonReader.Parse(text));

        Assert.Contains(problem, ex.Message);
        Assert.StartsWith("line ", ex.Message);
    }

    [Fact]
    public void Reports_the_line_and_column_of_an_error()
    {
        var ex = Assert.Throws<JsonFormatException>(() => JsonReader.Parse("{\n  \"a\": 1,\n  \"b\": x\n}"));

        Assert.StartsWith("line 3, column 8:", ex.Message);
    }

    [Fact]
    public void Limits_nesting_depth()
    {
        string deep = new string('[', JsonReader.MaxDepth + 2) + new string(']', JsonReader.MaxDepth + 2);

        var ex = Assert.Throws<JsonFormatException>(() => JsonReader.Parse(deep));

        Assert.Contains("nesting is deeper than 64 levels", ex.Message);
    }
}
