using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// Weights storage: the task marks the model, its external data and kernel programs Embedded or
/// Files (with the TargetPath the build copies them to) and gives the manifest the model's file
/// (OptimizerModelFile, which the generator writes into the class); it decides from the files the
/// engine left, so changing the storage never reruns the engine.
/// </summary>
public sealed partial class OptimizeOnnxModelsTaskTests
{
    /// <summary>A fake engine that also writes the optimized model's external data, as one past 2 GiB comes out.</summary>
    private string HostWritingExternalData() => Script("external-data.sh", $$"""
        #!/bin/sh
        echo "$5" >> "{{_runLog}}"
        base="${5%.plan.json}"
        printf 'graph' > "$base.onnx"
        printf 'weights weights weights' > "$base.onnx.data"
        printf 'program' > "$base.kernels"
        printf '{}' > "$base.model.json"
        """);

    private static (string File, string Storage, string TargetPath)[] Stored(ITaskItem[] outputs) =>
        outputs.Where(o => o.GetMetadata("OptimizerStorage").Length > 0)
            .Select(o => (Path.GetFileName(o.ItemSpec), o.GetMetadata("OptimizerStorage"), o.GetMetadata("TargetPath"))).ToArray();

    private static string[] ModelFiles(ITaskItem[] outputs) =>
        outputs.Where(o => o.GetMetadata("Kind") == "Manifest").Select(o => o.GetMetadata("OptimizerModelFile")).ToArray();

    [ConditionalFact(Needs.Linux)]
    public void By_default_a_small_model_and_its_programs_are_embedded_as_before()
    {
        var run = Run(HostWritingEveryOutput());

        Assert.True(run.Result);
        Assert.Equal(ExpectedOutputs, Described(run.Task.Outputs));
        Assert.Equal(
            [("App.Digits.onnx", "Embedded", ""), ("App.Digits.kernels", "Embedded", ""), ("App.Digits.fp32.kernels", "Embedded", ""),
             ("App.DigitsFp32.onnx", "Embedded", ""), ("App.DigitsFp32.kernels", "Embedded", "")],
            Stored(run.Task.Outputs));
        Assert.Equal(["", ""], ModelFiles(run.Task.Outputs));
    }

    [ConditionalFact(Needs.Linux)]
    public void Files_copies_the_model_and_its_programs_into_the_models_folder_without_rerunning_the_engine()
    {
        var embedded = Run(HostWritingEveryOutput());
        var files = Run(HostWritingEveryOutput(), configure: task => task.WeightsStorage = "files");

        Assert.True(files.Result);
        Assert.Equal(2, EngineRuns);
        Assert.Equal(Described(embedded.Task.Outputs), Described(files.Task.Outputs));
        Assert.Equal(
            [("App.Digits.onnx", "Files", "models/App.Digits.onnx"), ("App.Digits.kernels", "Files", "models/App.Digits.kernels"),
             ("App.Digits.fp32.kernels", "Files", "models/App.Digits.fp32.kernels"),
             ("App.DigitsFp32.onnx", "Files", "models/App.DigitsFp32.onnx"), ("App.DigitsFp32.kernels", "Files", "models/App.DigitsFp32.kernels")],
            Stored(files.Task.Outputs));
        Assert.Equal(["models/App.Digits.onnx", "models/App.DigitsFp32.onnx"], ModelFiles(files.Task.Outputs));
    }

    [ConditionalFact(Needs.Linux)]
    public void Auto_stores_files_past_the_embed_limit_counting_the_model_and_its_programs()
    {
        // App.Digits: 9 + 7 + 12 bytes; App.DigitsFp32: 9 + 7 bytes.
        var run = Run(HostWritingEveryOutput(), configure: task => task.EmbedLimitBytes = "20");

        Assert.Equal(["models/App.Digits.onnx", ""], ModelFiles(run.Task.Outputs));
        Assert.Equal(["Files", "Files", "Files", "Embedded", "Embedded"], Stored(run.Task.Outputs).Select(s => s.Storage));
    }

    [ConditionalFact(Needs.Linux)]
    public void A_model_with_external_data_goes_beside_the_app_with_its_data_file_in_the_folder_named()
    {
        var run = Run(HostWritingExternalData(), configure: task => task.ModelsFolder = "weights/onnx/");

        Assert.True(run.Result);
        Assert.Contains(("App.Digits.onnx.data", "ModelData", ""), Described(run.Task.Outputs));
        Assert.Equal(
            [("App.Digits.onnx", "Files", "weights/onnx/App.Digits.onnx"), ("App.Digits.onnx.data", "Files", "weights/onnx/App.Digits.onnx.data"),
             ("App.Digits.kernels", "Files", "weights/onnx/App.Digits.kernels")],
            Stored(run.Task.Outputs).Take(3));
        Assert.Equal("weights/onnx/App.Digits.onnx", ModelFiles(run.Task.Outputs)[0]);
        Assert.Contains(run.Task.FileWrites, w => w.ItemSpec.EndsWith("App.Digits.onnx.data", StringComparison.Ordinal));
    }

    [ConditionalFact(Needs.Linux)]
    public void Embedded_with_external_data_is_OPT1025_naming_the_data_file()
    {
        var run = Run(HostWritingExternalData(), configure: task => task.WeightsStorage = "Embedded");

        Assert.False(run.Result);
        Assert.Equal(["OPT1025", "OPT1025"], run.Engine.Errors.Select(e => e.Code));
        Assert.Contains("App.Digits.onnx.data", run.Engine.Errors[0].Message);
        Assert.Contains("WeightsStorage=\"Auto\" or \"Files\"", run.Engine.Errors[0].Message);
        Assert.Empty(run.Task.Outputs);
    }

    [ConditionalFact(Needs.Linux)]
    public void An_items_WeightsStorage_overrides_the_project_and_the_app_folder_itself_is_dot()
    {
        _project.WriteFile("Models.cs", "// models come from items\n");
        var item = new TaskItem("Models/digits.onnx");
        item.SetMetadata("WeightsStorage", "Files");

        var run = Run(HostWritingEveryOutput(), items: [item], configure: task => (task.WeightsStorage, task.ModelsFolder) = ("Embedded", "."));

        Assert.True(run.Result);
        Assert.Equal(["digits.onnx"], ModelFiles(run.Task.Outputs));
        Assert.All(Stored(run.Task.Outputs), s => Assert.Equal(("Files", s.File), (s.Storage, s.TargetPath)));
    }

    [ConditionalTheory(Needs.Linux)]
    [InlineData("WeightsStorage", "Disk", "OptimizerWeightsStorage is 'Disk', but it must be Auto, Embedded or Files.")]
    [InlineData("EmbedLimitBytes", "1GB", "OptimizerEmbedLimitBytes is '1GB', but it must be a whole number of bytes")]
    [InlineData("ModelsFolder", "../shared", "OptimizerModelsFolder is '../shared', but it must be a relative folder without '..'")]
    [InlineData("ModelsFolder", "/opt/models", "OptimizerModelsFolder is '/opt/models'")]
    public void An_invalid_storage_property_is_OPT1003_and_runs_nothing(string property, string value, string message)
    {
        var run = Run(HostWritingEveryOutput(), configure: task => typeof(OptimizeOnnxModels).GetProperty(property)!.SetValue(task, value));

        Assert.False(run.Result);
        var error = Assert.Single(run.Engine.Errors);
        Assert.Equal("OPT1003", error.Code);
        Assert.Contains(message, error.Message);
        Assert.Equal(0, EngineRuns);
    }

    [ConditionalFact(Needs.Linux)]
    public void An_items_invalid_WeightsStorage_is_OPT1003_at_the_item()
    {
        _project.WriteFile("Models.cs", "// models come from items\n");
        var item = new TaskItem("Models/digits.onnx");
        item.SetMetadata("WeightsStorage", "Cloud");

        var run = Run(HostWritingEveryOutput(), items: [item]);

        Assert.False(run.Result);
        Assert.Contains("<OnnxModel Include=\"Models/digits.onnx\"> has WeightsStorage=\"Cloud\", but it must be Auto, Embedded or Files.", Assert.Single(run.Engine.Errors).Message);
    }
}
