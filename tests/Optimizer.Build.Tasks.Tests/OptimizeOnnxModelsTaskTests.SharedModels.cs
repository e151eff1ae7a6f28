using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// What the build prints per model and what it does when a model is declared twice: the summary
/// line names the declaring class after its size change, and two declarations of one model
/// with the same passes (two classes, or a class and a ClassName item) warn with OPT1011, run the
/// engine once and hand both class names to the generator with the one manifest.
/// </summary>
public sealed partial class OptimizeOnnxModelsTaskTests
{
    /// <summary><see cref="Models"/> with the second class quantized like the first (still at line 8).</summary>
    private static readonly string SameModelTwice = Models.Replace(
        "public partial class DigitsFp32;", "[Quantize(QuantizationMode.DynamicInt8)]\npublic partial class MoreDigits;");

    [ConditionalFact(Needs.Linux)]
    public void The_summary_line_is_a_high_importance_message_naming_the_class_and_the_model()
    {
        var build = Run(SucceedingHost());

        Assert.True(build.Result);
        var summaries = build.Engine.Messages.Where(m => m.Message!.StartsWith("digits.onnx: quantize DynamicInt8 →", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["digits.onnx: quantize DynamicInt8 → 1 KB → 1 KB (+0%) for App.Digits, 0.0 s", "digits.onnx: quantize DynamicInt8 → 1 KB → 1 KB (+0%) for App.DigitsFp32, 0.0 s"],
            summaries.Select(m => m.Message));
        Assert.All(summaries, m => Assert.Equal(MessageImportance.High, m.Importance));
    }

    [ConditionalFact(Needs.Linux)]
    public void Other_lines_that_start_with_the_model_file_are_logged_as_printed()
    {
        var build = Run(SucceedingHost("digits.onnx: fine-tune epoch 1/2: loss 0.1234, validation accuracy 97.00%"));

        Assert.True(build.Result);
        Assert.Single(build.Engine.Messages, m => m.Message == "digits.onnx: fine-tune epoch 1/2: loss 0.1234, validation accuracy 97.00%");
        Assert.Contains(build.Engine.Messages, m => m.Message == "digits.onnx: quantize DynamicInt8 → 1 KB → 1 KB (+0%) for App.Digits, 0.0 s");
    }

    [ConditionalFact(Needs.Linux)]
    public void Two_classes_with_the_same_model_and_passes_warn_and_share_one_run()
    {
        File.WriteAllText(_project.Source("Models.cs"), SameModelTwice);

        var build = Run(SucceedingHost());

        Assert.True(build.Result);
        Assert.Equal(1, EngineRuns);
        var warning = Assert.Single(build.Engine.Warnings);
        Assert.Equal("OPT1011", warning.Code);
        Assert.Equal((_project.Source("Models.cs"), 8), (warning.File, warning.LineNumber));
        Assert.Contains("App.MoreDigits declares 'Models/digits.onnx' with the same passes (Quantize) as App.Digits", warning.Message);
        var model = Assert.Single(build.Task.OptimizedModels);
        Assert.Equal("Optimizer.Build.App.Digits.onnx", model.GetMetadata("LogicalName"));
        Assert.Equal("App.Digits,App.MoreDigits", Assert.Single(build.Task.Manifests).GetMetadata("OptimizerClassNames"));
        Assert.Contains(build.Engine.Messages, m => m.Message!.Contains("(+0%) for App.Digits and App.MoreDigits, ", StringComparison.Ordinal));

        // The shared outputs are up to date on the next build, and it warns again.
        var second = Run(SucceedingHost());
        Assert.Equal(1, EngineRuns);
        Assert.Equal("OPT1011", Assert.Single(second.Engine.Warnings).Code);
        Assert.Single(second.Task.OptimizedModels);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_class_and_a_ClassName_item_with_the_same_model_and_passes_share_one_run()
    {
        var item = new TaskItem("Models/digits.onnx");
        item.SetMetadata("ClassName", "App.ItemDigits");
        item.SetMetadata("Quantize", "DynamicInt8");

        var build = Run(SucceedingHost(), items: [item]);

        Assert.True(build.Result);
        Assert.Equal(2, EngineRuns); // App.Digits (shared with the item) and App.DigitsFp32 (no passes)
        Assert.Equal("OPT1011", Assert.Single(build.Engine.Warnings).Code);
        Assert.Equal(
            ["App.Digits,App.ItemDigits", "App.DigitsFp32"],
            build.Task.Manifests.Select(m => m.GetMetadata("OptimizerClassNames")));
    }

    [ConditionalFact(Needs.Linux)]
    public void A_ClassName_item_alone_names_its_class_for_the_generator()
    {
        File.WriteAllText(_project.Source("Models.cs"), "namespace App;");
        var item = new TaskItem("Models/digits.onnx");
        item.SetMetadata("ClassName", "App.Models.Digits");

        var build = Run(SucceedingHost(), items: [item]);

        Assert.True(build.Result);
        Assert.Empty(build.Engine.Warnings);
        Assert.Equal("App.Models.Digits", Assert.Single(build.Task.Manifests).GetMetadata("OptimizerClassNames"));
        Assert.Contains(build.Engine.Messages, m => m.Message!.Contains("(+0%) for App.Models.Digits, ", StringComparison.Ordinal));
    }
}
