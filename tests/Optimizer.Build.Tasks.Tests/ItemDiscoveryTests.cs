using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Tests;

public sealed class ItemDiscoveryTests : IDisposable
{
    private readonly TempProject _project = new();

    public ItemDiscoveryTests()
    {
        // The item diagnostics point at the <OnnxModel> element's line in the project file.
        File.WriteAllText(_project.ProjectFile, """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <OnnxModel Include="Models/digits.onnx" Quantize="DynamicInt8" />
              </ItemGroup>
            </Project>
            """);
    }

    public void Dispose() => _project.Dispose();

    private ITaskItem Item(string include, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(include);
        foreach (var (name, value) in metadata)
            item.SetMetadata(name, value);
        return item;
    }

    [Fact]
    public void Bare_item_is_named_after_the_file_and_metadata_map_to_passes()
    {
        var result = Discover.Run(_project, [], [Item("Models/digits.onnx", ("Quantize", "dynamicint8"), ("Sparsity", "0.25"), ("Structure", "PruneStructure.Channel"))]);

        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        Assert.Equal("digits", plan.Name);
        Assert.Equal("", plan.ClassName);
        Assert.Equal("Optimizer.Build.digits.onnx", plan.ResourceName);
        Assert.Equal(["Prune(Sparsity=0.25;Structure=Channel)", "Quantize(Mode=DynamicInt8)"], plan.Passes.Select(p => p.CanonicalText));
        Assert.Equal((_project.ProjectFile, 3), (plan.DeclaredAt.File, plan.DeclaredAt.Line));
    }

    [Fact]
    public void ClassName_metadata_names_the_outputs()
    {
        var result = Discover.Run(_project, [], [Item("Models/digits.onnx", ("ClassName", "App.Digits"))]);

        var plan = Assert.Single(result.Plans);
        Assert.Equal("App.Digits", plan.Name);
        Assert.Equal("App.Digits", plan.ClassName);
    }

    [Fact]
    public void Class_without_pass_attributes_takes_the_items_passes()
    {
        var result = Discover.Run(_project,
            [("Program.cs", "namespace App; [Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\")] partial class Digits;")],
            [Item("Models/digits.onnx", ("Quantize", "DynamicInt8"))]);

        Assert.Empty(result.Diagnostics);
        var plan = Assert.Single(result.Plans);
        Assert.Equal("App.Digits", plan.Name);
        Assert.EndsWith("Program.cs", plan.DeclaredAt.File);
        var pass = Assert.Single(plan.Passes);
        Assert.Equal("Quantize(Mode=DynamicInt8)", pass.CanonicalText);
        Assert.Equal(_project.ProjectFile, pass.Location.File);
    }

    [Fact]
    public void Item_and_attributes_that_agree_are_not_a_conflict()
    {
        var result = Discover.Run(_project,
            [("Program.cs", "[Optimizer.Runtime.OnnxModel(\"./Models/digits.onnx\"), Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)] partial class Digits;")],
            [Item("Models/digits.onnx", ("Quantize", "DynamicInt8"))]);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Plans);
    }

    [Fact]
    public void Item_and_attributes_that_disagree_conflict_at_the_item()
    {
        var result = Discover.Run(_project,
            [("Program.cs", "[Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\"), Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.Float16)] partial class Digits;")],
            [Item("Models/digits.onnx", ("Quantize", "DynamicInt8"))]);

        Assert.Empty(result.Plans);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.ConflictingDeclarations, error.Code);
        Assert.Equal((_project.ProjectFile, 3), (error.Location.File, error.Location.Line));
    }

    [Fact]
    public void Item_naming_a_class_with_another_model_conflicts()
    {
        _project.WriteFile("Models/other.onnx", "other");
        var result = Discover.Run(_project,
            [("Program.cs", "[Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\")] partial class Digits;")],
            [Item("Models/other.onnx", ("ClassName", "Digits"))]);

        Assert.Equal(DiagnosticCodes.ConflictingDeclarations, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Metadata_the_declared_mode_does_not_take_is_refused_at_the_item()
    {
        var result = Discover.Run(_project, [], [Item("Models/digits.onnx", ("Quantize", "DynamicInt8"), ("Percentile", "99.9"))]);

        Assert.Empty(result.Plans);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Contains("Percentile does not apply to Mode=DynamicInt8; it applies to Mode=StaticInt8", error.Message);
    }

    [Fact]
    public void Item_can_give_a_model_to_a_class_with_pass_attributes_only()
    {
        var result = Discover.Run(_project,
            [("Program.cs", "[Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)] partial class Digits;")],
            [Item("Models/digits.onnx", ("ClassName", "Digits"))]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal("Digits", Assert.Single(result.Plans).Name);
    }

    [Fact]
    public void MinCosine_alone_requests_an_accuracy_budget_from_an_item()
    {
        _project.WriteFile("val.npz", "npz");
        var result = Discover.Run(_project, [], [Item("Models/digits.onnx", ("MinCosine", "0.99"), ("Validation", "val.npz"))]);

        Assert.Empty(result.Diagnostics);
        var pass = Assert.Single(Assert.Single(result.Plans).Passes);
        Assert.Equal("AccuracyBudget(MinCosine=0.99;Validation=val.npz)", pass.CanonicalText);
    }

    [Theory]
    [InlineData("Quantize", "Int9", DiagnosticCodes.InvalidValue)]
    [InlineData("Sparsity", "half", DiagnosticCodes.InvalidValue)]
    [InlineData("Sparsity", "1.0", DiagnosticCodes.ValueOutOfRange)]
    [InlineData("MaxDrop", "-0.1", DiagnosticCodes.ValueOutOfRange)]
    [InlineData("Calibration", "Data/calib.npy", DiagnosticCodes.OptionWithoutPass)]
    [InlineData("RequireSpeedup", "maybe", DiagnosticCodes.InvalidValue)]
    public void Bad_metadata_are_coded_errors_at_the_item(string metadata, string value, string code)
    {
        var result = Discover.Run(_project, [], [Item("Models/digits.onnx", (metadata, value))]);

        Assert.Empty(result.Plans);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(code, error.Code);
        Assert.Equal((_project.ProjectFile, 3, 5), (error.Location.File, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Missing_item_model_is_an_error_at_the_item()
    {
        var result = Discover.Run(_project, [], [Item("Models/none.onnx")]);

        Assert.Equal(DiagnosticCodes.ModelNotFound, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Two_models_with_one_output_name_are_an_error()
    {
        _project.WriteFile("Other/digits.onnx", "other");
        var result = Discover.Run(_project, [], [Item("Models/digits.onnx"), Item("Other/digits.onnx")]);

        Assert.Empty(result.Plans);
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticCodes.DuplicateOutputName, d.Code));
        Assert.Equal(2, result.Diagnostics.Count);
    }
}
