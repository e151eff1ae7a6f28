using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Tests;

public sealed class SourceDiscoveryTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Block_namespace_and_nesting_make_the_full_name()
    {
        var result = Discover.Sources(_project, ("Models.cs", """
            using Optimizer.Runtime;
            namespace Sample.Apps
            {
                public partial class Outer
                {
                    [OnnxModel("Models/digits.onnx")]
                    [Quantize(QuantizationMode.DynamicInt8)]
                    public partial class Inner { }
                }
            }
            """));

        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        Assert.Equal("Sample.Apps.Outer.Inner", plan.Name);
        Assert.Equal("Sample.Apps.Outer.Inner", plan.ClassName);
        Assert.Equal("Models/digits.onnx", plan.ModelPath);
        Assert.Equal("Optimizer.Build.Sample.Apps.Outer.Inner.onnx", plan.ResourceName);
        Assert.Equal((6, 10), (plan.DeclaredAt.Line, plan.DeclaredAt.Column));
        var pass = Assert.Single(plan.Passes);
        Assert.Equal("Quantize(Mode=DynamicInt8)", pass.CanonicalText);
        Assert.Equal(7, pass.Location.Line);
    }

    [Fact]
    public void File_scoped_namespace_and_qualified_attribute_names_are_recognized()
    {
        var result = Discover.Sources(_project, ("Models.cs", """
            namespace Sample;

            [global::Optimizer.Runtime.OnnxModelAttribute("Models/digits.onnx")]
            [Optimizer.Runtime.Quantize(mode: Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            public partial class Digits;
            """));

        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        Assert.Equal("Sample.Digits", plan.Name);
        Assert.Equal("Quantize(Mode=DynamicInt8)", Assert.Single(plan.Passes).CanonicalText);
    }

    [Fact]
    public void Class_without_namespace_uses_its_simple_name()
    {
        var result = Discover.Sources(_project, ("Program.cs", """
            [OnnxModel("Models/digits.onnx")]
            public partial class Digits;
            """));

        Assert.Equal("Digits", Assert.Single(result.Plans).Name);
        Assert.Empty(result.Plans[0].Passes);
    }

    [Fact]
    public void Attributes_of_other_namespaces_are_ignored()
    {
        var result = Discover.Sources(_project, ("Program.cs", """
            [Other.Library.OnnxModel("Models/missing.onnx")]
            public partial class Digits;
            """));

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Plans);
    }

    [Fact]
    public void Named_arguments_and_literals_become_canonical_options()
    {
        _project.WriteFile("Data/calib.npy", "calibration");
        _project.WriteFile("Data/val.npy", "validation");
        var result = Discover.Sources(_project, ("Program.cs", """
            using Optimizer.Runtime;
            [OnnxModel(@"Models\digits.onnx")]
            [Prune(Scope = PruneScope.Global, Sparsity = .50, Structure = PruneStructure.Channel)]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/calib.npy", RequireSpeedup = true)]
            [AccuracyBudget(MaxDrop = 1e-2, Validation = "Data/val.npy")]
            public partial class Digits;
            """));

        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        Assert.Equal("Models/digits.onnx", plan.ModelPath);
        Assert.Equal(
            ["Prune(Scope=Global;Sparsity=0.5;Structure=Channel)",
             "Quantize(Calibration=Data/calib.npy;Mode=StaticInt8;RequireSpeedup=true)",
             "AccuracyBudget(MaxDrop=0.01;Validation=Data/val.npy)"],
            plan.Passes.Select(p => p.CanonicalText));
    }

    [Fact]
    public void Partial_parts_in_different_files_make_one_declaration()
    {
        var result = Discover.Sources(_project,
            ("A.cs", "namespace S; [Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\")] partial class Digits;"),
            ("B.cs", "namespace S; [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)] partial class Digits;"));

        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        Assert.Single(plan.Passes);
        Assert.EndsWith("B.cs", plan.Passes[0].Location.File);
    }

    [Fact]
    public void Preprocessor_symbols_are_honoured()
    {
        var source = ("Program.cs", """
            #if OPTIMIZE
            [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
            #endif
            public partial class Digits;
            """);

        Assert.Empty(Discover.Run(_project, [source], []).Plans);
        Assert.Single(Discover.Run(_project, [source], [], "OPTIMIZE").Plans);
    }

    [Theory]
    [InlineData("[OnnxModel(ModelPaths.Digits)]", DiagnosticCodes.ArgumentNotLiteral, 15)]
    [InlineData("[OnnxModel(\"Models/\" + \"digits.onnx\")]", DiagnosticCodes.ArgumentNotLiteral, 15)]
    [InlineData("[OnnxModel(nameof(Digits))]", DiagnosticCodes.ArgumentNotLiteral, 15)]
    [InlineData("[OnnxModel]", DiagnosticCodes.InvalidValue, 5)]
    [InlineData("[OnnxModel(\"\")]", DiagnosticCodes.InvalidValue, 15)]
    public void Bad_model_paths_are_coded_errors_at_the_argument(string attribute, string code, int column)
    {
        var result = Discover.Sources(_project, ("Program.cs", $"""
            using Optimizer.Runtime;

               {attribute}
            public partial class Digits;
            """));

        Assert.Empty(result.Plans);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(code, error.Code);
        Assert.Equal((3, column), (error.Location.Line, error.Location.Column));
        Assert.EndsWith("Program.cs", error.Location.File);
    }

    [Theory]
    [InlineData("[Quantize((QuantizationMode)7)]", DiagnosticCodes.InvalidValue, "not a named QuantizationMode member")]
    [InlineData("[Quantize(QuantizationMode.Int9)]", DiagnosticCodes.InvalidValue, "'Int9' is not a member of QuantizationMode")]
    [InlineData("[Quantize(Modes.Default)]", DiagnosticCodes.ArgumentNotLiteral, "cannot be read at build time")]
    [InlineData("[Prune(Sparsity = 1.5)]", DiagnosticCodes.ValueOutOfRange, "outside (0, 1)")]
    [InlineData("[Prune(Sparsity = 0)]", DiagnosticCodes.ValueOutOfRange, "outside (0, 1)")]
    [InlineData("[Prune(Sparsity = -0.5)]", DiagnosticCodes.ValueOutOfRange, "outside (0, 1)")]
    [InlineData("[Prune(Sparsity = Defaults.Sparsity)]", DiagnosticCodes.ArgumentNotLiteral, "Write a number literal")]
    [InlineData("[Prune(Sparsity = \"half\")]", DiagnosticCodes.InvalidValue, "must be a number")]
    [InlineData("[Prune(Density = 0.5)]", DiagnosticCodes.InvalidValue, "Prune has no argument")]
    [InlineData("[AccuracyBudget(MaxDrop = 1)]", DiagnosticCodes.ValueOutOfRange, "outside [0, 1)")]
    [InlineData("[Quantize(QuantizationMode.StaticInt8, Calibration = \"Models/digits.onnx\", PerChannel = false)]", DiagnosticCodes.InvalidValue, "PerChannel does not apply to Mode=StaticInt8; it applies to Mode=DynamicInt8")]
    [InlineData("[Quantize(QuantizationMode.DynamicInt8, Percentile = 99)]", DiagnosticCodes.InvalidValue, "Percentile does not apply to Mode=DynamicInt8")]
    [InlineData("[Quantize(QuantizationMode.Int4, BlockSize = 24)]", DiagnosticCodes.InvalidValue, "a power of two")]
    [InlineData("[FineTune(Data = \"Models/digits.onnx\", Epochs = 1.5)]", DiagnosticCodes.InvalidValue, "a whole number")]
    public void Bad_pass_values_are_coded_errors_at_their_line(string attribute, string code, string message)
    {
        var result = Discover.Sources(_project, ("Program.cs", $"""
            using Optimizer.Runtime;

            [OnnxModel("Models/digits.onnx")]
            {attribute}
            public partial class Digits;
            """));

        Assert.Empty(result.Plans);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message);
        Assert.Equal(4, error.Location.Line);
    }

    [Fact]
    public void Missing_model_points_at_the_attribute()
    {
        var result = Discover.Sources(_project, ("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("Models/not-there.onnx")]
            [Quantize(QuantizationMode.DynamicInt8)]
            public partial class Missing;
            """));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.ModelNotFound, error.Code);
        Assert.Equal((5, 2), (error.Location.Line, error.Location.Column));
        Assert.Contains("not-there.onnx", error.Message);
    }

    [Fact]
    public void Missing_data_file_points_at_the_pass()
    {
        var result = Discover.Sources(_project, ("Program.cs", """
            [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.StaticInt8, Calibration = "Data/none.npy")]
            public partial class Digits;
            """));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.DataFileNotFound, error.Code);
        Assert.Equal(2, error.Location.Line);
    }

    [Fact]
    public void Pass_attribute_without_a_model_is_an_error()
    {
        var result = Discover.Sources(_project, ("Program.cs", """
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            public partial class Digits;
            """));

        Assert.Equal(DiagnosticCodes.PassWithoutModel, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Two_models_on_one_class_conflict()
    {
        _project.WriteFile("Models/other.onnx", "other");
        var result = Discover.Sources(_project,
            ("A.cs", "[Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\")] partial class Digits;"),
            ("B.cs", "[Optimizer.Runtime.OnnxModel(\"Models/other.onnx\")] partial class Digits;"));

        Assert.Empty(result.Plans);
        Assert.Equal(DiagnosticCodes.ConflictingDeclarations, Assert.Single(result.Diagnostics).Code);
    }
}
